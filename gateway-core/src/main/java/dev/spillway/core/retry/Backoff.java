package dev.spillway.core.retry;

import dev.spillway.core.config.RetryConfig;

/**
 * Exponential backoff with <em>equal jitter</em>: before retry {@code n} (1 for the first retry) the ceiling
 * is {@code c = min(max, base × 2^(n-1))} and the delay is uniform in {@code [c/2, c]}.
 *
 * <p>Why equal rather than full jitter ({@code [0, c)}): a retry here goes to another endpoint of a fleet
 * that just failed one request, often because the whole fleet is struggling. Equal jitter still spreads
 * retries over half the window, so clients do not come back in lockstep, but never fires one at once, which
 * gives an overloaded fleet at least {@code c/2} of air before each retry. Immutable and thread-safe.
 */
public final class Backoff {
  private final long baseNanos;
  private final long maxNanos;

  public Backoff(long baseNanos, long maxNanos) {
    if (baseNanos <= 0 || maxNanos < baseNanos) {
      throw new IllegalArgumentException("baseNanos: " + baseNanos + ", maxNanos: " + maxNanos
          + " (expected: 0 < baseNanos <= maxNanos)");
    }
    this.baseNanos = baseNanos;
    this.maxNanos = maxNanos;
  }

  public static Backoff of(RetryConfig config) {
    return new Backoff(config.backoffBase().toNanos(), config.backoffMax().toNanos());
  }

  /** The ceiling {@code min(max, base × 2^(retry-1))} for retry number {@code retry} (1 or more). */
  public long ceilingNanos(int retry) {
    if (retry < 1) {
      throw new IllegalArgumentException("retry: " + retry + " (expected: >= 1)");
    }
    int shift = retry - 1;
    // Past this shift the product overflows, and it is far beyond any max anyway.
    if (shift >= Long.numberOfLeadingZeros(baseNanos)) {
      return maxNanos;
    }
    return Math.min(maxNanos, baseNanos << shift);
  }

  /**
   * The delay before retry number {@code retry}, given a uniform random {@code random} in {@code [0, 1)}:
   * in {@code [ceiling/2, ceiling]}, and {@code ceiling/2} exactly for {@code random == 0}.
   */
  public long nanos(int retry, double random) {
    long ceiling = ceilingNanos(retry);
    long half = ceiling >>> 1;
    // Rounding of the product can reach the ceiling itself, never more.
    return Math.min(ceiling, half + (long) (random * (ceiling - half)));
  }

  public long baseNanos() {
    return baseNanos;
  }

  public long maxNanos() {
    return maxNanos;
  }
}
