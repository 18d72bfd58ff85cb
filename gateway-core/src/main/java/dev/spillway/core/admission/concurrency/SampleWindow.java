package dev.spillway.core.admission.concurrency;

import dev.spillway.core.admission.concurrency.LatencySample.Signal;
import java.util.Arrays;

/**
 * The latency samples of one measurement window, kept apart per {@link Signal} (a per-token time and a time
 * to first token are not comparable), each with the number of requests in flight it was admitted with. Holds
 * at most {@code capacity} samples in total: the window closes when it is full. First tokens are kept as
 * measured, with their request's size, and read through the {@link PrefillEnvelope} as it stands when the
 * window is judged (the window of the start is measured before the envelope is known). Not thread-safe.
 */
final class SampleWindow {
  private static final Signal[] SIGNALS = {Signal.FIRST_TOKEN, Signal.PER_TOKEN};

  private final long[][] values = new long[SIGNALS.length][];
  private final long[][] bytes = new long[SIGNALS.length][];
  private final long[][] answerTokens = new long[SIGNALS.length][];
  private final PrefillEnvelope prefill;
  private final int[][] inFlights = new int[SIGNALS.length][];
  private final int[] counts = new int[SIGNALS.length];
  private final long[] scratch;
  private final long[] scratchTokens;
  private int size;

  SampleWindow(int capacity, PrefillEnvelope prefill) {
    this.prefill = prefill;
    for (int i = 0; i < SIGNALS.length; i++) {
      values[i] = new long[capacity];
      bytes[i] = new long[capacity];
      answerTokens[i] = new long[capacity];
      inFlights[i] = new int[capacity];
    }
    scratch = new long[capacity];
    scratchTokens = new long[capacity];
  }

  static Signal[] signals() {
    return SIGNALS.clone();
  }

  void add(LatencySample sample, int inFlight) {
    int k = sample.signal().ordinal();
    values[k][counts[k]] = sample.latencyNanos();
    bytes[k][counts[k]] = sample.requestBytes();
    answerTokens[k][counts[k]] = sample.answerTokens();
    inFlights[k][counts[k]++] = inFlight;
    size++;
  }

  boolean isFull() {
    return size >= values[0].length;
  }

  int size() {
    return size;
  }

  int count(Signal s) {
    return counts[s.ordinal()];
  }

  /** How many of {@code s}'s samples were admitted with at least {@code minInFlight} in flight. */
  int count(Signal s, int minInFlight) {
    int k = s.ordinal();
    int n = 0;
    for (int i = 0; i < counts[k]; i++) {
      if (inFlights[k][i] >= minInFlight) {
        n++;
      }
    }
    return n;
  }

  /** The most requests in flight any sample of the window was admitted with; 0 without samples. */
  int maxInFlight() {
    int max = 0;
    for (int k = 0; k < SIGNALS.length; k++) {
      for (int i = 0; i < counts[k]; i++) {
        max = Math.max(max, inFlights[k][i]);
      }
    }
    return max;
  }

  /** The median of {@code s}'s samples (the lower one of an even count); 0 without samples. */
  long median(Signal s) {
    return median(s, 0);
  }

  /** The median of {@code s}'s samples admitted with at least {@code minInFlight} in flight; 0 if none. */
  long median(Signal s, int minInFlight) {
    return quantile(s, minInFlight, 0.5);
  }

  /**
   * The {@code q} quantile (the lower one between two) of {@code s}'s samples admitted with at least
   * {@code minInFlight} in flight; 0 if none.
   */
  long quantile(Signal s, int minInFlight, double q) {
    int k = s.ordinal();
    int n = 0;
    for (int i = 0; i < counts[k]; i++) {
      if (inFlights[k][i] >= minInFlight) {
        scratch[n++] = value(s, k, i);
      }
    }
    if (n == 0) {
      return 0;
    }
    Arrays.sort(scratch, 0, n);
    return scratch[(int) Math.floor((n - 1) * q)];
  }

  /**
   * The median over {@code s}'s samples admitted with at least {@code minInFlight} in flight of
   * {@link LittlesLaw#queueFree}; 0 if none.
   */
  long medianQueueFree(Signal s, int minInFlight, long baselineNanos, double departuresPerSecond) {
    int k = s.ordinal();
    int n = 0;
    for (int i = 0; i < counts[k]; i++) {
      if (inFlights[k][i] >= minInFlight) {
        scratch[n++] = LittlesLaw.queueFree(inFlights[k][i], value(s, k, i), baselineNanos, departuresPerSecond);
      }
    }
    if (n == 0) {
      return 0;
    }
    Arrays.sort(scratch, 0, n);
    return scratch[(n - 1) / 2];
  }

  /**
   * The non-streamed answers admitted with at least {@code minInFlight} in flight, their whole times fitted
   * against their lengths ({@link AnswerFit}); null when too few to fit.
   */
  AnswerFit fitAnswers(int minInFlight) {
    int k = Signal.PER_TOKEN.ordinal();
    int n = 0;
    for (int i = 0; i < counts[k]; i++) {
      if (inFlights[k][i] >= minInFlight && answerTokens[k][i] > 0) {
        scratchTokens[n] = answerTokens[k][i];
        scratch[n++] = values[k][i] * answerTokens[k][i];
      }
    }
    return AnswerFit.of(scratch, scratchTokens, n);
  }

  /** Sample {@code i} of signal {@code s} (index {@code k}), a first token adjusted to the reference size. */
  private long value(Signal s, int k, int i) {
    return prefill.adjustedNanos(s, values[k][i], bytes[k][i]);
  }

  void clear() {
    Arrays.fill(counts, 0);
    size = 0;
  }
}
