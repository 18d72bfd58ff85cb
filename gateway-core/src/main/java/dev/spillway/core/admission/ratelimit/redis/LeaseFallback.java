package dev.spillway.core.admission.ratelimit.redis;

import dev.spillway.core.config.FailurePolicy;
import dev.spillway.core.time.Ticker;
import dev.spillway.core.time.Tickers;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.local.LocalBucketBuilder;
import io.github.bucket4j.local.SynchronizationStrategy;

/**
 * What one shared bucket does while Redis cannot be used: its limit's failure policy. {@code local} enforces
 * the limit at capacity ÷ expected instances in a local bucket, {@code open} admits, {@code closed} rejects.
 * It counts what it admitted, so that the shared bucket can be charged for it (at most this instance's share)
 * once Redis answers again. Not thread-safe: its {@link LeasedBucket} guards it.
 */
final class LeaseFallback {
  private final SharedLimit limit;
  private final LimiterStoreStats stats;
  /**
   * Under {@link FailurePolicy#LOCAL}: this instance's share of the limit, in a local bucket that lives as long as
   * the lease. While Redis is used it is drained by what this instance admits (never below empty), so an
   * instance that was busy does not start a Redis outage with a full share, and a flapping Redis mints nothing.
   */
  private final Bucket share;
  private long admitted;

  LeaseFallback(SharedLimit limit, LimiterStoreStats stats, Ticker ticker) {
    this.limit = limit;
    this.stats = stats;
    share = limit.failure == FailurePolicy.LOCAL ? localBucket(limit.localConfiguration, ticker) : null;
  }

  /** Starts a spell without Redis: nothing admitted yet. */
  void begin() {
    admitted = 0;
  }

  /** While Redis is used: what the instance admits drains its local share. */
  void shadow(long cost) {
    if (share != null) {
      share.tryConsumeAsMuchAsPossible(cost);
    }
  }

  /** Decides {@code cost} by the policy; {@code remaining} and {@code reset} describe the shared bucket. */
  ConsumptionProbe consume(long cost, long remaining, long reset) {
    ConsumptionProbe probe = switch (limit.failure) {
      case OPEN -> ConsumptionProbe.consumed(remaining, reset);
      case CLOSED -> ConsumptionProbe.rejected(0, closedWait(), closedWait());
      default -> share.tryConsumeAndReturnRemaining(cost);
    };
    if (probe.isConsumed()) {
      admitted += cost;
    }
    stats.recordFallback(limit.failure, probe.isConsumed());
    return probe;
  }

  EstimationProbe estimate(long cost, long remaining) {
    return switch (limit.failure) {
      case OPEN -> EstimationProbe.canBeConsumed(remaining);
      case CLOSED -> EstimationProbe.canNotBeConsumed(0, closedWait());
      default -> share.estimateAbilityToConsume(cost);
    };
  }

  /** A refund settled while on the policy. */
  void add(long tokens) {
    if (share != null) {
      share.addTokens(tokens);
    }
    admitted = Math.max(0, admitted - tokens);
  }

  /** Overuse settled while on the policy. */
  void consumeIgnoringLimits(long tokens) {
    if (share != null) {
      share.consumeIgnoringRateLimits(tokens);
    }
    admitted += tokens;
  }

  /** Redis is back: what was admitted without it, up to this instance's share, to charge to the lease. */
  long end() {
    long debt = Math.min(admitted, limit.share);
    admitted = 0;
    return debt;
  }

  /** A closed limit's clients retry when the breaker tests Redis again. */
  private static long closedWait() {
    return RedisLimiterStore.BREAKER_OPEN.toNanos();
  }

  /** A local bucket on {@code ticker}'s time (so fake time drives it in tests). */
  static Bucket localBucket(BucketConfiguration configuration, Ticker ticker) {
    long origin = ticker.nanoTime();
    LocalBucketBuilder builder = Bucket.builder()
        .withCustomTimePrecision(Tickers.timeMeter(() -> ticker.nanoTime() - origin))
        .withSynchronizationStrategy(SynchronizationStrategy.SYNCHRONIZED);
    for (Bandwidth bandwidth : configuration.getBandwidths()) {
      builder.addLimit(bandwidth);
    }
    return builder.build();
  }
}
