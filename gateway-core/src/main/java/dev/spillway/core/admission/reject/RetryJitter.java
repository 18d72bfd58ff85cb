package dev.spillway.core.admission.reject;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Spreads the retry delay of capacity shedding so that clients turned away together do not come back
 * together: a synchronized wave of retries would meet the same full queue again. Rate-limit rejections are
 * not jittered; their wait is the exact time until the bucket refills and each tenant has its own bucket.
 */
public final class RetryJitter {
  /** The floor of every jittered delay: a zero delay would invite an immediate retry. */
  public static final long MIN_NANOS = 1_000_000L;

  private RetryJitter() {}

  /**
   * A delay drawn uniformly from {@code [base - base/2, base + base/2]} (that is, 0.5× to 1.5× the base),
   * then raised to at least {@value #MIN_NANOS} ns. Non-positive bases give that floor. Uses
   * {@link ThreadLocalRandom}, so it is safe and contention-free on any event loop.
   */
  public static long jitter(long baseNanos) {
    if (baseNanos <= 0) {
      return MIN_NANOS;
    }
    long half = baseNanos / 2;
    long low = baseNanos - half;
    long high = baseNanos > Long.MAX_VALUE - half ? Long.MAX_VALUE : baseNanos + half;
    long drawn = high == Long.MAX_VALUE
        ? ThreadLocalRandom.current().nextLong(low, high)
        : ThreadLocalRandom.current().nextLong(low, high + 1);
    return Math.max(drawn, MIN_NANOS);
  }
}
