package dev.spillway.core.admission.concurrency;

import dev.spillway.core.admission.concurrency.LatencySample.Signal;
import java.util.Arrays;

/**
 * How a first token's unqueued latency grows with the size of the request, learned from first tokens that
 * carry their request's size ({@link LatencySample#requestBytes}), so that {@link GradientLimit} can tell a
 * long prompt's prefill from queueing.
 *
 * <p>Why: an LLM computes the whole prompt before the first token (a 16-token prompt takes milliseconds, an
 * 8,000-token one a second), so with prompts of mixed lengths a window's median first token swings with the
 * prompts drawn; the baseline, the lowest window median, then comes from a window of short prompts, and windows
 * of longer ones read as queueing: on the LLM engine simulator the limit fell from 64 to 7 at half load, with
 * nothing queued.
 *
 * <p>How: the requests are sorted into buckets by the binary logarithm of their size; each bucket keeps the
 * smallest first token seen lately (a windowed minimum over one to two {@code intervalNanos}, as
 * {@link Baseline} does) and the size it came with. Those minima are the lower envelope of latency against size;
 * a line {@code a + b * bytes} fitted through them (least squares, {@code b >= 0}) gives the unqueued time of a
 * request of any size. With at least {@value #MIN_BUCKETS} buckets spanning a factor of {@value #MIN_SPREAD} in
 * size, {@link #adjust} moves each first token to what a request of the reference size (the median size of
 * the first requests, settled after {@value #SIZES} of them) would have taken: {@code latency - b * (bytes - reference)}. Queueing and prefills sharing the engine
 * stay in it whole, so Little's law on its excess still counts requests; only the request's own prefill is
 * taken out. A backend whose first tokens do not grow with size (a fixed mock) fits {@code b} near 0 and is
 * judged as before; without sizes nothing changes at all. Not thread-safe.
 */
final class PrefillEnvelope {
  static final int MIN_BUCKETS = 3;
  static final double MIN_SPREAD = 4;
  static final double MATTERS_SHARE = 0.25;
  static final double GROWS_SHARE = 0.1;
  /** How far apart in size two buckets must be for {@link #flatSoFar} to judge the envelope flat. */
  static final double FLAT_SPREAD = 2;
  /** Sizes between recomputations of the reference size, until {@code SIZES} have been seen. */
  private static final int REFERENCE_EVERY = 16;
  private static final int BUCKETS = 40;
  private static final int SIZES = 255;

  private final long intervalNanos;
  private final long[] currentMin = new long[BUCKETS];
  private final long[] currentBytes = new long[BUCKETS];
  private final long[] previousMin = new long[BUCKETS];
  private final long[] previousBytes = new long[BUCKETS];
  private final long[] currentSince = new long[BUCKETS];
  private final boolean[] seen = new boolean[BUCKETS];
  /** The first sizes seen: their median is the reference size, fixed once it is full. */
  private final long[] sizes = new long[SIZES];
  private int sizeCount;
  private long referenceBytes;
  private double slope;
  private double intercept;
  private boolean fitted;
  /** The last fit's span of sizes (largest less smallest bucket's) and its lowest minimum. */
  private double spanBytes;
  private double lowestNanos;

  PrefillEnvelope(long intervalNanos) {
    this.intervalNanos = intervalNanos;
  }

  /** Learns from a first token that carries its request's size; anything else is ignored. */
  void add(LatencySample sample, long now) {
    long bytes = sample.requestBytes();
    if (sample.signal() != Signal.FIRST_TOKEN || bytes <= 0) {
      return;
    }
    int b = Math.min(BUCKETS - 1, 63 - Long.numberOfLeadingZeros(bytes));
    long latency = sample.latencyNanos();
    if (!seen[b]) {
      seen[b] = true;
      currentMin[b] = previousMin[b] = latency;
      currentBytes[b] = previousBytes[b] = bytes;
      currentSince[b] = now;
    } else if (now - currentSince[b] >= intervalNanos) {
      previousMin[b] = currentMin[b];
      previousBytes[b] = currentBytes[b];
      currentMin[b] = latency;
      currentBytes[b] = bytes;
      currentSince[b] = now;
    } else if (latency < currentMin[b]) {
      currentMin[b] = latency;
      currentBytes[b] = bytes;
    }
    if (sizeCount < sizes.length) {
      sizes[sizeCount++] = bytes;
      if (referenceBytes == 0 || sizeCount % REFERENCE_EVERY == 0) {
        long[] sorted = Arrays.copyOf(sizes, sizeCount);
        Arrays.sort(sorted);
        referenceBytes = sorted[(sizeCount - 1) / 2];
      }
    }
    fit();
  }

  /**
   * {@code sample} as a request of the reference size would have measured it: its own prefill's share taken
   * out (or, for a small request, added); unchanged without a size or before the envelope is known.
   */
  LatencySample adjust(LatencySample sample) {
    long adjusted = adjustedNanos(sample.signal(), sample.latencyNanos(), sample.requestBytes());
    return adjusted == sample.latencyNanos() ? sample : sample.withLatency(adjusted);
  }

  /** As {@link #adjust}, for a latency of {@code signal} measured for a request of {@code bytes}. */
  long adjustedNanos(Signal signal, long latency, long bytes) {
    if (!fitted || signal != Signal.FIRST_TOKEN || bytes <= 0) {
      return latency;
    }
    long adjusted = latency - (long) (slope * (bytes - referenceBytes));
    // A slope fitted too steep must not turn a long prompt's first token into nothing.
    return Math.max(Math.max(1, latency / 8), adjusted);
  }

  /**
   * The unqueued time to first token of a request of {@code bytes}; 0 when unknown, or when first tokens do
   * not grow with size ({@link #grows}): every rule that reads sizes then judges as it would without them.
   */
  long unqueuedNanos(long bytes) {
    return grows() && bytes > 0 ? (long) Math.max(0, intercept + slope * bytes) : 0;
  }

  /**
   * Whether first tokens measurably carry their request's prefill: a request of the reference size spends at
   * least {@value #MATTERS_SHARE} of its unqueued first token on its own size. A backend whose first token
   * does not grow with the prompt (a fixed-latency mock, a cache) does not.
   */
  boolean matters() {
    return fitted && slope * referenceBytes >= MATTERS_SHARE * (intercept + slope * referenceBytes);
  }

  boolean fitted() {
    return fitted;
  }

  /**
   * Whether the fitted envelope grows with size at all: across the sizes seen, the line rises by at least
   * {@value #GROWS_SHARE} of the lowest first token. Only then does {@link #unqueuedNanos} give a request's
   * own unqueued time: on a fixed mock the minima fit a slope of 0 or of noise (0.2 ms across its chat sizes
   * against a 30 ms first token), and its intercept taken as each request's unqueued time counted requests as
   * served at once that a run without sizes did not; the limit settled a place or two above the mock's 64
   * slots, with requests waiting in its queue. (In an LLM engine's first seconds a fit may be flat for a
   * moment while its minima still hold queueing; the other rules keep reading it, see {@link #fitted}.)
   */
  boolean grows() {
    return fitted && slope * spanBytes >= GROWS_SHARE * lowestNanos;
  }

  /**
   * Whether first tokens may carry their prompt's prefill: they do ({@link #matters}), or requests have come
   * with sizes and the envelope is not known yet (the first seconds of an LLM engine, whose first tokens
   * cannot be judged by size yet, must not be read as queueing either).
   */
  boolean mayMatter() {
    return matters() || (!fitted && sizeCount > 0 && !flatSoFar());
  }

  /**
   * Whether the envelope, not fitted yet, already shows first tokens that do not grow with size: the
   * smallest-size and the largest-size bucket seen, their sizes at least {@value #FLAT_SPREAD} apart, have
   * lower first tokens within {@value #MATTERS_SHARE} of the larger's. Why: a fixed mock's chat bodies (16 to
   * 256 tokens, 264 to 1,224 bytes) fill three buckets whose minima may never span {@value #MIN_SPREAD} in
   * size, so the envelope never fits; read as "may matter" for ever, it kept the fast decrease off, and from
   * 4 the limit settled at 65 with a request waiting in the mock's queue (main: 63, then 64).
   */
  boolean flatSoFar() {
    if (fitted) {
      return false;
    }
    int smallest = -1;
    int largest = -1;
    for (int b = 0; b < BUCKETS; b++) {
      if (seen[b]) {
        smallest = smallest < 0 ? b : smallest;
        largest = b;
      }
    }
    if (smallest < 0 || lowerBytes(largest) < FLAT_SPREAD * lowerBytes(smallest)) {
      return false;
    }
    long low = lowerMin(smallest);
    long high = lowerMin(largest);
    return high - low < MATTERS_SHARE * high;
  }

  /** The lower of a bucket's two windowed minima, as {@link #fit} takes it. */
  private long lowerMin(int b) {
    return Math.min(currentMin[b], previousMin[b]);
  }

  private long lowerBytes(int b) {
    return currentMin[b] <= previousMin[b] ? currentBytes[b] : previousBytes[b];
  }

  /** Whether requests have come with their sizes (an LLM API's bodies), whatever the envelope shows yet. */
  boolean sized() {
    return sizeCount > 0;
  }

  /** The size of the largest bucket's lowest first token; 0 before any size. */
  long largestBytes() {
    for (int b = BUCKETS - 1; b >= 0; b--) {
      if (seen[b]) {
        return lowerBytes(b);
      }
    }
    return 0;
  }

  /** The size every adjusted first token is moved to; 0 before any size. */
  long referenceBytes() {
    return referenceBytes;
  }

  /** Nanos of first-token time per request byte on the lower envelope; 0 before it is known. */
  double nanosPerByte() {
    return fitted ? slope : 0;
  }

  private void fit() {
    int n = 0;
    double minX = Double.MAX_VALUE;
    double maxX = 0;
    double minY = Double.MAX_VALUE;
    double sx = 0;
    double sy = 0;
    double sxx = 0;
    double sxy = 0;
    for (int b = 0; b < BUCKETS; b++) {
      if (!seen[b]) {
        continue;
      }
      boolean current = currentMin[b] <= previousMin[b];
      double x = current ? currentBytes[b] : previousBytes[b];
      double y = current ? currentMin[b] : previousMin[b];
      n++;
      minX = Math.min(minX, x);
      minY = Math.min(minY, y);
      maxX = Math.max(maxX, x);
      sx += x;
      sy += y;
      sxx += x * x;
      sxy += x * y;
    }
    if (n < MIN_BUCKETS || maxX < MIN_SPREAD * minX) {
      return;
    }
    double var = sxx - sx * sx / n;
    slope = var > 0 ? Math.max(0, (sxy - sx * sy / n) / var) : 0;
    intercept = (sy - slope * sx) / n;
    spanBytes = maxX - minX;
    lowestNanos = minY;
    fitted = true;
  }
}
