package dev.spillway.core.admission.ratelimit.redis;

import dev.spillway.core.config.FailurePolicy;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the Redis limiter store, for metrics ({@code spillway_limiter_store_*}). One Redis operation is
 * one Bucket4j command on one bucket (a lease taken, tokens given back), whatever number of round trips it costs.
 */
public final class LimiterStoreStats {
  private final LongAdder operations = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final LongAdder timeouts = new LongAdder();
  private final LongAdder rejectedByBreaker = new LongAdder();
  private final LongAdder latencyNanos = new LongAdder();
  private final AtomicLong maxLatencyNanos = new AtomicLong();
  private final LongAdder leasedTokens = new LongAdder();
  private final LongAdder fallbackDecisions = new LongAdder();
  private final LongAdder closedRejections = new LongAdder();
  private final LongAdder decisions = new LongAdder();
  private final LongAdder decisionNanos = new LongAdder();
  private final AtomicLong maxDecisionNanos = new AtomicLong();

  /** Operations sent to Redis (whatever their outcome). */
  public long operations() {
    return operations.sum();
  }

  /** Operations that failed, timeouts included. */
  public long errors() {
    return errors.sum();
  }

  /** Operations that missed their deadline. */
  public long timeouts() {
    return timeouts.sum();
  }

  /** Operations not sent because the breaker was open. */
  public long rejectedByBreaker() {
    return rejectedByBreaker.sum();
  }

  /** Total time of completed operations. */
  public long latencyNanos() {
    return latencyNanos.sum();
  }

  /** The slowest completed operation so far. */
  public long maxLatencyNanos() {
    return maxLatencyNanos.get();
  }

  /** Tokens taken from Redis into this instance's leases. */
  public long leasedTokens() {
    return leasedTokens.sum();
  }

  /** Decisions made by a limit's failure policy because Redis could not be used. */
  public long fallbackDecisions() {
    return fallbackDecisions.sum();
  }

  /** Decisions a {@code closed} limit refused because Redis could not be used. */
  public long closedRejections() {
    return closedRejections.sum();
  }

  /** Decisions made on shared buckets (by their lease or their failure policy). */
  public long decisions() {
    return decisions.sum();
  }

  /** Total time those decisions took, Redis never included: it is never called while a decision waits. */
  public long decisionNanos() {
    return decisionNanos.sum();
  }

  /** The slowest decision on a shared bucket so far. */
  public long maxDecisionNanos() {
    return maxDecisionNanos.get();
  }

  void recordOperation(long nanos, boolean failed, boolean timedOut) {
    operations.increment();
    latencyNanos.add(nanos);
    maxLatencyNanos.accumulateAndGet(nanos, Math::max);
    if (failed) {
      errors.increment();
    }
    if (timedOut) {
      timeouts.increment();
    }
  }

  void recordBreakerRejection() {
    rejectedByBreaker.increment();
  }

  void recordLeased(long tokens) {
    leasedTokens.add(tokens);
  }

  void recordFallback(FailurePolicy policy, boolean admitted) {
    fallbackDecisions.increment();
    if (policy == FailurePolicy.CLOSED && !admitted) {
      closedRejections.increment();
    }
  }

  void recordDecision(long nanos) {
    decisions.increment();
    decisionNanos.add(nanos);
    maxDecisionNanos.accumulateAndGet(nanos, Math::max);
  }
}
