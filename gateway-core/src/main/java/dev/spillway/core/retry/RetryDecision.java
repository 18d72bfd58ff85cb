package dev.spillway.core.retry;

/**
 * What to do after a failed attempt: retry after a delay, or give up for a {@link NoRetryReason}. Decisions
 * not to retry are shared constants, so the common path allocates nothing.
 */
public final class RetryDecision {
  private static final RetryDecision[] NO_RETRY = new RetryDecision[NoRetryReason.values().length];

  static {
    for (NoRetryReason reason : NoRetryReason.values()) {
      NO_RETRY[reason.ordinal()] = new RetryDecision(-1, reason);
    }
  }

  private final long delayNanos;
  private final NoRetryReason reason;

  private RetryDecision(long delayNanos, NoRetryReason reason) {
    this.delayNanos = delayNanos;
    this.reason = reason;
  }

  /** Retry on another endpoint once {@code delayNanos} (at least 0) have passed. */
  public static RetryDecision retry(long delayNanos) {
    if (delayNanos < 0) {
      throw new IllegalArgumentException("delayNanos: " + delayNanos + " (expected: >= 0)");
    }
    return new RetryDecision(delayNanos, null);
  }

  /** Do not retry: answer the client with this attempt's failure. */
  public static RetryDecision noRetry(NoRetryReason reason) {
    return NO_RETRY[reason.ordinal()];
  }

  public boolean shouldRetry() {
    return reason == null;
  }

  /** How long to wait before the retry; -1 when not retrying. */
  public long delayNanos() {
    return delayNanos;
  }

  /** Why not to retry, or {@code null} when retrying. */
  public NoRetryReason reason() {
    return reason;
  }

  @Override
  public String toString() {
    return reason == null ? "retry after " + delayNanos + "ns" : "no retry: " + reason.tag();
  }
}
