package dev.spillway.core.admission.ratelimit.redis;

import io.github.bucket4j.BucketState;
import io.github.bucket4j.VerboseResult;

/**
 * The tokens this instance holds of one shared bucket, and what Redis last said about that bucket. Pure
 * accounting, no I/O, not thread-safe: its {@link LeasedBucket} guards it.
 *
 * <p>The {@code balance} may go below zero by at most one batch while the last answer from Redis said it had
 * tokens ({@code credit}): a request arriving while a top-up is on its way is admitted, and the debt is taken
 * from Redis with the top-up. Once Redis answers that it is short, the lease spends only what it holds.
 */
final class Lease {
  private final SharedLimit limit;
  private final long deadlineNanos;
  private long balance;
  private boolean credit = true;
  private BucketState lastState;
  private long lastOpNanos;
  private long lastTick;
  /** When Redis last answered, on the local ticker; {@link Long#MIN_VALUE} before it ever did. */
  private long lastSuccessTick = Long.MIN_VALUE;

  Lease(SharedLimit limit, long deadlineNanos) {
    this.limit = limit;
    this.deadlineNanos = deadlineNanos;
  }

  /** Whether {@code cost} may be spent now: held, or on credit up to one batch below zero. */
  boolean canSpend(long cost) {
    return balance >= cost || (credit && (balance >= 0 || balance - cost >= -limit.batch));
  }

  void spend(long cost) {
    balance -= cost;
  }

  /** Refunds ({@code tokens} > 0) or overuse settled against the lease. */
  void add(long tokens) {
    balance += tokens;
  }

  /** What may be taken now without credit. */
  long held() {
    return Math.max(0, balance);
  }

  /** Drops the unspent tokens (the shared bucket keeps its own). */
  void drop() {
    balance = 0;
  }

  /** How many tokens to ask Redis for, when the lease is low enough to ask ({@code 0}: not now). */
  long wanted(long now, long nextFetchNanos) {
    if (balance >= limit.lowWater || (!credit && now - nextFetchNanos < 0)) {
      return 0;
    }
    return topUp();
  }

  /** The top-up that brings the lease back to one batch (debt included); at least one token. */
  long topUp() {
    return Math.max(1, limit.batch - balance);
  }

  /**
   * Redis answered a request for {@code want} tokens with {@code result} at {@code now}. Returns when to ask
   * again if Redis is short (its refill will have a batch then), or {@code now} when it is not.
   */
  long onTaken(long want, VerboseResult<Long> result, long now) {
    long got = result.getValue();
    balance += got;
    credit = got >= want;
    lastState = result.getState();
    lastOpNanos = result.getOperationTimeNanos();
    lastTick = now;
    lastSuccessTick = now;
    if (credit) {
      return now;
    }
    long delay = lastState.calculateDelayNanosAfterWillBePossibleToConsume(Math.min(limit.batch, limit.capacity),
        lastOpNanos, false);
    return now + Math.max(deadlineNanos, delay);
  }

  /** Takes the surplus past two batches (refunds piling up) out of the lease, to give back to Redis. */
  long surplus() {
    if (balance <= 2 * limit.batch) {
      return 0;
    }
    long giveBack = balance - limit.batch;
    balance -= giveBack;
    return giveBack;
  }

  /** How long ago Redis last answered for this bucket, or {@code -1} if it never did. */
  long sinceLastAnswer(long now) {
    return lastSuccessTick == Long.MIN_VALUE ? -1 : now - lastSuccessTick;
  }

  /** The shared bucket's tokens as last seen, plus this lease's balance. */
  long remaining() {
    if (lastState == null) {
      return Math.max(0, Math.min(limit.capacity, limit.capacity + Math.min(0, balance)));
    }
    return Math.max(0, Math.min(limit.capacity, lastState.getAvailableTokens() + balance));
  }

  /** Redis's clock now, extrapolated from its last answer (0 before one). */
  long remoteNow(long now) {
    return lastState == null ? 0 : lastOpNanos + (now - lastTick);
  }

  /** Until the shared bucket is full again, as last seen. */
  long resetNanos(long now) {
    return lastState == null ? 0 : lastState.calculateFullRefillingTime(remoteNow(now));
  }

  /** How long until {@code cost} could be admitted here. */
  long waitNanos(long cost, long now) {
    if (credit || lastState == null) {
      // The top-up is on its way: try again after one Redis deadline.
      return deadlineNanos;
    }
    long wait = lastState.calculateDelayNanosAfterWillBePossibleToConsume(cost - Math.min(0, balance),
        remoteNow(now), false);
    return Math.max(1, wait);
  }

  /** The shared bucket's state as last seen, or {@code null} before Redis answered. */
  BucketState lastState() {
    return lastState;
  }

  @Override
  public String toString() {
    return "balance=" + balance + (credit ? "" : ", short");
  }
}
