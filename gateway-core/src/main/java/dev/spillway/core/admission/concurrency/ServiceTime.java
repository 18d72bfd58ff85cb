package dev.spillway.core.admission.concurrency;

/**
 * Short-term estimates of how long the backend takes, for shedding early and for {@code Retry-After}. Written
 * under {@link BackendAdmission}'s lock; read without it, so the published values are volatile.
 *
 * <p>The expected service time is the time to first byte: the least a request needs before its client sees
 * anything, so a deadline closer than that cannot be met. Capacity frees, on average, once per
 * {@code totalTime / limit} when {@code limit} requests of {@code totalTime} each are in flight; that is the
 * retry-after estimate, never below {@code floorNanos} (CoDel's target) so clients do not come straight back.
 */
final class ServiceTime {
  private static final double ALPHA = 2.0 / (GradientLimit.SHORT_WINDOW + 1);

  private final long floorNanos;
  private volatile long ttfbNanos;
  private volatile long totalNanos;

  ServiceTime(long floorNanos) {
    this.floorNanos = floorNanos;
  }

  void onSample(long ttfb, long total) {
    if (ttfb > 0) {
      ttfbNanos = ttfbNanos == 0 ? ttfb : ttfbNanos + (long) (ALPHA * (ttfb - ttfbNanos));
    }
    if (total > 0) {
      totalNanos = totalNanos == 0 ? total : totalNanos + (long) (ALPHA * (total - totalNanos));
    }
  }

  /** Expected time to first byte; 0 until the first sample. */
  long expectedNanos() {
    return ttfbNanos;
  }

  long retryAfterNanos(int limit) {
    return Math.max(floorNanos, totalNanos / Math.max(1, limit));
  }
}
