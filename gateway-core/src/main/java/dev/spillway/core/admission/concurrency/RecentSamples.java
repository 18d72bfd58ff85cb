package dev.spillway.core.admission.concurrency;

import java.util.Arrays;

/**
 * The last {@code capacity} latencies of one signal, whenever admitted, each with the requests in flight at its
 * admission. Not thread-safe.
 */
final class RecentSamples {
  private final long[] values;
  private final int[] inFlights;
  private final long[] scratch;
  private int next;
  private int size;

  RecentSamples(int capacity) {
    values = new long[capacity];
    inFlights = new int[capacity];
    scratch = new long[capacity];
  }

  void add(long latencyNanos, int inFlight) {
    values[next] = latencyNanos;
    inFlights[next] = inFlight;
    next = (next + 1) % values.length;
    size = Math.min(size + 1, values.length);
  }

  int size() {
    return size;
  }

  /** How many of the samples took longer than {@code nanos}. */
  int countAbove(long nanos) {
    int n = 0;
    for (int i = 0; i < size; i++) {
      if (values[i] > nanos) {
        n++;
      }
    }
    return n;
  }

  boolean isFull() {
    return size == values.length;
  }

  /** The median latency (the lower one of an even count); 0 without samples. */
  long median() {
    System.arraycopy(values, 0, scratch, 0, size);
    return medianOfScratch();
  }

  /**
   * How far the samples spread above their median: their {@value LatencySignals#SPREAD_QUANTILE} quantile
   * less it, read as {@link SampleWindow#quantile} reads a window's; 0 without samples.
   */
  long spread() {
    if (size == 0) {
      return 0;
    }
    System.arraycopy(values, 0, scratch, 0, size);
    Arrays.sort(scratch, 0, size);
    return scratch[(int) Math.floor((size - 1) * LatencySignals.SPREAD_QUANTILE)] - scratch[(size - 1) / 2];
  }

  /**
   * The median over the samples of Little's law's concurrency without queueing:
   * {@code inFlightAtAdmission * baselineNanos / latency}. In a FIFO queue a request's latency is the work in
   * flight when it was admitted divided by the rate the backend serves it, so each sample estimates the
   * backend's slots however long ago it was admitted.
   */
  long medianConcurrency(long baselineNanos) {
    for (int i = 0; i < size; i++) {
      scratch[i] = (long) ((double) inFlights[i] * baselineNanos / values[i]);
    }
    return medianOfScratch();
  }

  /**
   * For first tokens: the median over the samples of the requests served without queueing,
   * {@code inFlightAtAdmission - (latency - baselineNanos) * departuresPerSecond} (in a FIFO queue a request
   * waits its place ahead divided by the rate places free). See {@link LittlesLaw}.
   */
  long medianQueueFree(long baselineNanos, double departuresPerSecond) {
    for (int i = 0; i < size; i++) {
      scratch[i] = LittlesLaw.queueFree(inFlights[i], values[i], baselineNanos, departuresPerSecond);
    }
    return medianOfScratch();
  }

  /** The median of the requests in flight at the samples' admissions; 0 without samples. */
  long medianInFlight() {
    for (int i = 0; i < size; i++) {
      scratch[i] = inFlights[i];
    }
    return medianOfScratch();
  }

  private long medianOfScratch() {
    if (size == 0) {
      return 0;
    }
    Arrays.sort(scratch, 0, size);
    return scratch[(size - 1) / 2];
  }

  void clear() {
    next = 0;
    size = 0;
  }
}
