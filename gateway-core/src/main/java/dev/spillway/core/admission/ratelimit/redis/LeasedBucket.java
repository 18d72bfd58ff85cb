package dev.spillway.core.admission.ratelimit.redis;

import dev.spillway.core.config.FailurePolicy;
import dev.spillway.core.time.Ticker;
import dev.spillway.core.time.Tickers;
import io.github.bucket4j.AbstractBucket;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BlockingBucket;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.BucketListener;
import io.github.bucket4j.BucketState;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.Nothing;
import io.github.bucket4j.SchedulingBucket;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.github.bucket4j.VerboseResult;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import io.github.bucket4j.local.LocalBucketBuilder;
import io.github.bucket4j.local.SynchronizationStrategy;
import java.util.concurrent.CompletableFuture;

/**
 * This instance's view of one shared bucket in Redis: a lease of tokens taken from it in batches and spent
 * locally, so that most decisions need no round trip. Decisions are always made here, at once; Redis is only
 * called in the background (to top the lease up, or to give a surplus back), never while a request waits.
 *
 * <p>The lease's {@code balance} may go below zero by at most one batch while the last answer from Redis said it
 * had tokens ({@code credit}): a request arriving while a top-up is on its way is admitted, and the debt is taken
 * from Redis with the top-up. So a tenant can exceed a limit by at most one batch per instance (or one request,
 * when a single request costs more than a batch). Once Redis answers that it is short, the lease spends only what
 * it holds, and asks again when Redis's own refill would have the tokens. Settlement of token reservations
 * (refunds, overuse) changes the balance only; the next top-up (or a give-back, when refunds pile up past two
 * batches) carries it to Redis.
 *
 * <p>When Redis cannot be used (breaker open, a call failed or missed its deadline) the bucket follows its
 * limit's failure policy: {@code local} enforces the limit at capacity ÷ expected instances in a local bucket,
 * {@code open} admits, {@code closed} rejects. What it admitted meanwhile is charged to the lease as debt (at
 * most this instance's share) on the first successful call, so the shared bucket pays for it.
 *
 * <p>Only the operations the rate limiter uses have meaning here; the blocking and scheduling APIs, which would
 * make a caller wait, are not supported.
 */
final class LeasedBucket extends AbstractBucket {
  private enum Mode { SHARED, FALLBACK }

  private final RedisLimiterStore store;
  private final SharedLimit limit;
  private final byte[] key;
  private final Ticker ticker;
  private final BucketState fullState;

  // Guarded by this.
  private AsyncBucketProxy remote;
  private Mode mode = Mode.SHARED;
  private long balance;
  private boolean credit = true;
  private boolean fetching;
  private boolean failed;
  private long nextFetchNanos;
  private BucketState lastState;
  private long lastOpNanos;
  private long lastTick;
  private long lastSuccessTick = Long.MIN_VALUE;
  /**
   * Under {@link FailurePolicy#LOCAL}: this instance's share of the limit, in a local bucket that lives as long as
   * the lease. While Redis is used it is drained by what this instance admits (never below empty), so an
   * instance that was busy does not start a Redis outage with a full share, and a flapping Redis mints nothing.
   */
  private final Bucket fallback;
  private long fallbackAdmitted;

  LeasedBucket(RedisLimiterStore store, SharedLimit limit, byte[] key) {
    super(BucketListener.NOPE);
    this.store = store;
    this.limit = limit;
    this.key = key;
    this.ticker = store.ticker();
    fullState = localBucket(limit.configuration).asVerbose().getAvailableTokens().getState();
    fallback = limit.failure == FailurePolicy.LOCAL ? localBucket(limit.localConfiguration) : null;
  }

  // ---- The operations the rate limiter uses.

  @Override
  protected ConsumptionProbe tryConsumeAndReturnRemainingTokensImpl(long cost) {
    ConsumptionProbe probe;
    long toFetch;
    synchronized (this) {
      Mode m = mode();
      if (m == Mode.FALLBACK) {
        probe = fallbackConsume(cost);
      } else if (balance >= cost || (credit && (balance >= 0 || balance - cost >= -limit.batch))) {
        balance -= cost;
        if (fallback != null) {
          fallback.tryConsumeAsMuchAsPossible(cost);
        }
        probe = ConsumptionProbe.consumed(remaining(), resetNanos());
      } else {
        probe = ConsumptionProbe.rejected(remaining(), waitNanos(cost), resetNanos());
      }
      toFetch = fetchNeeded();
    }
    fetch(toFetch);
    return probe;
  }

  @Override
  protected EstimationProbe estimateAbilityToConsumeImpl(long cost) {
    synchronized (this) {
      if (mode() == Mode.FALLBACK) {
        return switch (limit.failure) {
          case OPEN -> EstimationProbe.canBeConsumed(remaining());
          case CLOSED -> EstimationProbe.canNotBeConsumed(0, closedWait());
          default -> fallback.estimateAbilityToConsume(cost);
        };
      }
      if (balance >= cost || (credit && (balance >= 0 || balance - cost >= -limit.batch))) {
        return EstimationProbe.canBeConsumed(remaining());
      }
      return EstimationProbe.canNotBeConsumed(remaining(), waitNanos(cost));
    }
  }

  @Override
  protected void addTokensImpl(long tokens) {
    long toFetch;
    synchronized (this) {
      if (mode == Mode.FALLBACK) {
        if (fallback != null) {
          fallback.addTokens(tokens);
        }
        fallbackAdmitted = Math.max(0, fallbackAdmitted - tokens);
      } else {
        balance += tokens;
      }
      toFetch = fetchNeeded();
    }
    fetch(toFetch);
  }

  @Override
  protected long consumeIgnoringRateLimitsImpl(long tokens) {
    synchronized (this) {
      if (mode == Mode.FALLBACK) {
        if (fallback != null) {
          fallback.consumeIgnoringRateLimits(tokens);
        }
        fallbackAdmitted += tokens;
      } else {
        balance -= tokens;
      }
    }
    return 0;
  }

  // ---- The lease.

  /** The mode for this decision: fallback while Redis cannot be used or this bucket's last call failed. */
  private Mode mode() {
    if (mode == Mode.SHARED && (failed || !store.usable())) {
      mode = Mode.FALLBACK;
      fallbackAdmitted = 0;
    }
    return mode;
  }

  private ConsumptionProbe fallbackConsume(long cost) {
    store.stats().recordFallback();
    switch (limit.failure) {
      case OPEN -> {
        fallbackAdmitted += cost;
        return ConsumptionProbe.consumed(remaining(), resetNanos());
      }
      case CLOSED -> {
        long wait = closedWait();
        return ConsumptionProbe.rejected(0, wait, wait);
      }
      default -> {
        ConsumptionProbe probe = fallback.tryConsumeAndReturnRemaining(cost);
        if (probe.isConsumed()) {
          fallbackAdmitted += cost;
        }
        return probe;
      }
    }
  }

  /** How many tokens to ask Redis for now (0: none), marking the call as started. */
  private long fetchNeeded() {
    if (fetching) {
      return 0;
    }
    long now = ticker.nanoTime();
    boolean wanted;
    if (mode == Mode.FALLBACK) {
      // Try again (the breaker decides whether a call may go): success brings the shared limit back.
      wanted = now - nextFetchNanos >= 0;
    } else if (balance >= limit.lowWater) {
      wanted = false;
    } else {
      wanted = credit || now - nextFetchNanos >= 0;
    }
    if (!wanted) {
      return 0;
    }
    fetching = true;
    return Math.max(1, limit.batch - balance);
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
    return limit.creation(lastSuccessTick == Long.MIN_VALUE ? -1 : ticker.nanoTime() - lastSuccessTick);
  }

  private void onAnswer(long want, VerboseResult<Long> result, Throwable error) {
    long giveBack = 0;
    synchronized (this) {
      fetching = false;
      long now = ticker.nanoTime();
      if (error != null) {
        failed = true;
        // A failed bucket asks again after the breaker would have let a call through anyway.
        nextFetchNanos = now + store.config().timeout().toNanos();
        return;
      }
      long got = result.getValue();
      store.stats().recordLeased(got);
      balance += got;
      credit = got >= want;
      lastState = result.getState();
      lastOpNanos = result.getOperationTimeNanos();
      lastTick = now;
      lastSuccessTick = now;
      failed = false;
      if (mode == Mode.FALLBACK) {
        // What this instance admitted on its own is charged to the shared bucket, up to its share.
        balance -= Math.min(fallbackAdmitted, limit.share);
        fallbackAdmitted = 0;
        mode = Mode.SHARED;
      }
      if (!credit) {
        // Redis is short: ask again when its refill will have a batch.
        long delay = lastState.calculateDelayNanosAfterWillBePossibleToConsume(
            Math.min(limit.batch, limit.capacity), lastOpNanos, false);
        nextFetchNanos = now + Math.max(store.config().timeout().toNanos(), delay);
      }
      if (balance > 2 * limit.batch) {
        giveBack = balance - limit.batch;
        balance -= giveBack;
      }
    }
    if (giveBack > 0 && remote != null) {
      store.giveBack(remote, giveBack);
    }
  }

  /** The shared bucket's tokens as last seen, plus this lease's balance. */
  private long remaining() {
    if (lastState == null) {
      return Math.max(0, Math.min(limit.capacity, limit.capacity + Math.min(0, balance)));
    }
    return Math.max(0, Math.min(limit.capacity, lastState.getAvailableTokens() + balance));
  }

  private long remoteNow() {
    return lastState == null ? 0 : lastOpNanos + (ticker.nanoTime() - lastTick);
  }

  private long resetNanos() {
    return lastState == null ? 0 : lastState.calculateFullRefillingTime(remoteNow());
  }

  /** How long until {@code cost} could be admitted here. */
  private long waitNanos(long cost) {
    if (credit || lastState == null) {
      // The top-up is on its way: try again after one Redis deadline.
      return store.config().timeout().toNanos();
    }
    long wait = lastState.calculateDelayNanosAfterWillBePossibleToConsume(cost - Math.min(0, balance),
        remoteNow(), false);
    return Math.max(1, wait);
  }

  private static long closedWait() {
    return RedisLimiterStore.BREAKER_OPEN.toNanos();
  }

  private Bucket localBucket(BucketConfiguration configuration) {
    long origin = ticker.nanoTime();
    LocalBucketBuilder builder = Bucket.builder()
        .withCustomTimePrecision(Tickers.timeMeter(() -> ticker.nanoTime() - origin))
        .withSynchronizationStrategy(SynchronizationStrategy.SYNCHRONIZED);
    for (Bandwidth bandwidth : configuration.getBandwidths()) {
      builder.addLimit(bandwidth);
    }
    return builder.build();
  }

  private synchronized BucketState state() {
    return lastState == null ? fullState : lastState;
  }

  private <T> VerboseResult<T> verbose(T value) {
    long now;
    synchronized (this) {
      now = remoteNow();
    }
    return new VerboseResult<>(now, value, state());
  }

  // ---- The rest of Bucket4j's API, in terms of the above.

  @Override
  protected long consumeAsMuchAsPossibleImpl(long max) {
    long available;
    synchronized (this) {
      available = Math.min(max, Math.max(0, mode() == Mode.SHARED ? balance : 0));
    }
    return available > 0 && tryConsumeAndReturnRemainingTokensImpl(available).isConsumed() ? available : 0;
  }

  @Override
  protected boolean tryConsumeImpl(long cost) {
    return tryConsumeAndReturnRemainingTokensImpl(cost).isConsumed();
  }

  @Override
  protected void forceAddTokensImpl(long tokens) {
    addTokensImpl(tokens);
  }

  @Override
  protected long reserveAndCalculateTimeToSleepImpl(long tokens, long maxWaitNanos) {
    throw new UnsupportedOperationException("a shared bucket never makes its caller wait");
  }

  @Override
  protected void replaceConfigurationImpl(BucketConfiguration configuration, TokensInheritanceStrategy strategy) {
    throw new UnsupportedOperationException("a shared bucket's configuration is its limit's; Redis keeps it");
  }

  @Override
  protected VerboseResult<Long> consumeAsMuchAsPossibleVerboseImpl(long max) {
    return verbose(consumeAsMuchAsPossibleImpl(max));
  }

  @Override
  protected VerboseResult<Boolean> tryConsumeVerboseImpl(long cost) {
    return verbose(tryConsumeImpl(cost));
  }

  @Override
  protected VerboseResult<ConsumptionProbe> tryConsumeAndReturnRemainingTokensVerboseImpl(long cost) {
    return verbose(tryConsumeAndReturnRemainingTokensImpl(cost));
  }

  @Override
  protected VerboseResult<EstimationProbe> estimateAbilityToConsumeVerboseImpl(long cost) {
    return verbose(estimateAbilityToConsumeImpl(cost));
  }

  @Override
  protected VerboseResult<Long> getAvailableTokensVerboseImpl() {
    return verbose(getAvailableTokens());
  }

  @Override
  protected VerboseResult<Nothing> addTokensVerboseImpl(long tokens) {
    addTokensImpl(tokens);
    return verbose(Nothing.INSTANCE);
  }

  @Override
  protected VerboseResult<Nothing> forceAddTokensVerboseImpl(long tokens) {
    return addTokensVerboseImpl(tokens);
  }

  @Override
  protected VerboseResult<Nothing> resetVerboseImpl() {
    reset();
    return verbose(Nothing.INSTANCE);
  }

  @Override
  protected VerboseResult<Nothing> replaceConfigurationVerboseImpl(BucketConfiguration configuration,
      TokensInheritanceStrategy strategy) {
    replaceConfigurationImpl(configuration, strategy);
    return verbose(Nothing.INSTANCE);
  }

  @Override
  protected VerboseResult<Long> consumeIgnoringRateLimitsVerboseImpl(long tokens) {
    return verbose(consumeIgnoringRateLimitsImpl(tokens));
  }

  @Override
  protected VerboseResult<Long> reserveAndCalculateTimeToSleepVerboseImpl(long tokens, long maxWaitNanos) {
    return verbose(reserveAndCalculateTimeToSleepImpl(tokens, maxWaitNanos));
  }

  @Override
  public synchronized long getAvailableTokens() {
    return remaining();
  }

  /** Drops this instance's lease (the shared bucket in Redis is left as it is). */
  @Override
  public synchronized void reset() {
    balance = 0;
  }

  @Override
  public BlockingBucket asBlocking() {
    throw new UnsupportedOperationException("a shared bucket never makes its caller wait");
  }

  @Override
  public SchedulingBucket asScheduler() {
    throw new UnsupportedOperationException("a shared bucket never makes its caller wait");
  }

  @Override
  public Bucket toListenable(BucketListener listener) {
    throw new UnsupportedOperationException("listeners are not supported on shared buckets");
  }

  @Override
  public String toString() {
    return "LeasedBucket(" + new String(key, java.nio.charset.StandardCharsets.UTF_8) + ", balance=" + balance + ")";
  }
}
