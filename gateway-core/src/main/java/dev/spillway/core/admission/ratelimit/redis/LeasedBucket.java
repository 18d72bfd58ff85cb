package dev.spillway.core.admission.ratelimit.redis;

import dev.spillway.core.time.Ticker;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.BucketState;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.VerboseResult;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * This instance's view of one shared bucket in Redis: decides at once from its {@link Lease} while Redis can be
 * used, and by its {@link LeaseFallback} (the limit's failure policy) while it cannot, and talks to Redis in
 * the background. Redis is only called to top the lease up or give a surplus back, never while a request
 * waits. So a tenant can exceed a limit by at most one batch per instance (or one request, when a single
 * request costs more than a batch).
 *
 * <p>A lease low on tokens asks for a top-up; while Redis says the bucket is short, it asks again when Redis's
 * own refill would have the tokens. Settlement of token reservations (refunds, overuse) changes the balance
 * only; the next top-up (or a give-back, when refunds pile up past two batches) carries it to Redis. A bucket
 * whose last call failed, or any bucket while the store's breaker is open, is on its fallback until a call
 * succeeds; what it admitted meanwhile is then charged to the lease as debt (at most this instance's share).
 */
final class LeasedBucket extends ImmediateBucket {
  private enum Mode { SHARED, FALLBACK }

  private final RedisLimiterStore store;
  private final SharedLimit limit;
  private final byte[] key;
  private final Ticker ticker;
  private final BucketState fullState;

  // Guarded by this.
  private final Lease lease;
  private final LeaseFallback fallback;
  private AsyncBucketProxy remote;
  private Mode mode = Mode.SHARED;
  /** A call to Redis is on its way: no second one until it is answered. */
  private boolean fetching;
  private boolean failed;
  private long nextFetchNanos;

  LeasedBucket(RedisLimiterStore store, SharedLimit limit, byte[] key) {
    this.store = store;
    this.limit = limit;
    this.key = key;
    this.ticker = store.ticker();
    fullState = LeaseFallback.localBucket(limit.configuration, ticker).asVerbose().getAvailableTokens().getState();
    lease = new Lease(limit, store.config().timeout().toNanos());
    fallback = new LeaseFallback(limit, store.stats(), ticker);
  }

  // ---- The operations the rate limiter uses.

  @Override
  protected ConsumptionProbe tryConsumeAndReturnRemainingTokensImpl(long cost) {
    long started = ticker.nanoTime();
    ConsumptionProbe probe;
    long toFetch;
    synchronized (this) {
      long now = ticker.nanoTime();
      if (mode() == Mode.FALLBACK) {
        probe = fallback.consume(cost, lease.remaining(), lease.resetNanos(now));
      } else if (lease.canSpend(cost)) {
        lease.spend(cost);
        fallback.shadow(cost);
        probe = ConsumptionProbe.consumed(lease.remaining(), lease.resetNanos(now));
      } else {
        probe = ConsumptionProbe.rejected(lease.remaining(), lease.waitNanos(cost, now), lease.resetNanos(now));
      }
      toFetch = fetchNeeded(now);
    }
    fetch(toFetch);
    store.stats().recordDecision(ticker.nanoTime() - started);
    return probe;
  }

  @Override
  protected synchronized EstimationProbe estimateAbilityToConsumeImpl(long cost) {
    if (mode() == Mode.FALLBACK) {
      return fallback.estimate(cost, lease.remaining());
    }
    return lease.canSpend(cost) ? EstimationProbe.canBeConsumed(lease.remaining())
        : EstimationProbe.canNotBeConsumed(lease.remaining(), lease.waitNanos(cost, ticker.nanoTime()));
  }

  @Override
  protected void addTokensImpl(long tokens) {
    long toFetch;
    synchronized (this) {
      if (mode == Mode.FALLBACK) {
        fallback.add(tokens);
      } else {
        lease.add(tokens);
      }
      toFetch = fetchNeeded(ticker.nanoTime());
    }
    fetch(toFetch);
  }

  @Override
  protected synchronized long consumeIgnoringRateLimitsImpl(long tokens) {
    if (mode == Mode.FALLBACK) {
      fallback.consumeIgnoringLimits(tokens);
    } else {
      lease.add(-tokens);
    }
    return 0;
  }

  @Override
  protected synchronized long spendableNow(long max) {
    return Math.min(max, mode() == Mode.SHARED ? lease.held() : 0);
  }

  @Override
  public synchronized long getAvailableTokens() {
    return lease.remaining();
  }

  /** Drops this instance's lease (the shared bucket in Redis is left as it is). */
  @Override
  public synchronized void reset() {
    lease.drop();
  }

  @Override
  protected <T> VerboseResult<T> verbose(T value) {
    synchronized (this) {
      BucketState last = lease.lastState();
      return new VerboseResult<>(lease.remoteNow(ticker.nanoTime()), value, last == null ? fullState : last);
    }
  }

  // ---- The conversation with Redis.

  /** The mode for this decision: fallback while Redis cannot be used or this bucket's last call failed. */
  private Mode mode() {
    if (mode == Mode.SHARED && (failed || !store.usable())) {
      mode = Mode.FALLBACK;
      fallback.begin();
    }
    return mode;
  }

  /** How many tokens to ask Redis for now (0: none), marking the call as started. */
  private long fetchNeeded(long now) {
    if (fetching) {
      return 0;
    }
    // On the fallback, try again (the breaker decides whether a call may go): success brings the lease back.
    long want = mode == Mode.FALLBACK ? (now - nextFetchNanos >= 0 ? lease.topUp() : 0)
        : lease.wanted(now, nextFetchNanos);
    fetching = want > 0;
    return want;
  }

  private void fetch(long want) {
    if (want <= 0) {
      return;
    }
    // Handed to the store's own threads: the caller (an event loop) only queues a task, and never runs Lettuce,
    // Bucket4j's serialization, the breaker's events or a failure's handling.
    store.execute(() -> store.take(remote(), want).whenComplete((result, error) -> onAnswer(want, result, error)));
  }

  private synchronized AsyncBucketProxy remote() {
    if (remote == null) {
      remote = store.proxy(key, () -> CompletableFuture.completedFuture(creation()));
    }
    return remote;
  }

  /** Called by Bucket4j (on a Redis thread) only when the bucket is missing from Redis. */
  private synchronized BucketConfiguration creation() {
    return limit.creation(lease.sinceLastAnswer(ticker.nanoTime()));
  }

  private void onAnswer(long want, VerboseResult<Long> result, Throwable error) {
    long giveBack;
    AsyncBucketProxy bucket;
    synchronized (this) {
      fetching = false;
      long now = ticker.nanoTime();
      if (error != null) {
        failed = true;
        // A failed bucket asks again after the breaker would have let a call through anyway.
        nextFetchNanos = now + store.config().timeout().toNanos();
        return;
      }
      store.stats().recordLeased(result.getValue());
      nextFetchNanos = lease.onTaken(want, result, now);
      failed = false;
      if (mode == Mode.FALLBACK) {
        // What this instance admitted on its own is charged to the shared bucket, up to its share.
        lease.spend(fallback.end());
        mode = Mode.SHARED;
      }
      giveBack = lease.surplus();
      bucket = remote;
    }
    if (giveBack > 0 && bucket != null) {
      store.giveBack(bucket, giveBack);
    }
  }

  @Override
  public synchronized String toString() {
    return "LeasedBucket(" + new String(key, StandardCharsets.UTF_8) + ", " + mode + ", " + lease + ")";
  }
}
