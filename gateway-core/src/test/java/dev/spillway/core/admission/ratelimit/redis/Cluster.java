package dev.spillway.core.admission.ratelimit.redis;

import dev.spillway.core.admission.Tenant;
import dev.spillway.core.admission.ratelimit.RateDecision;
import dev.spillway.core.admission.ratelimit.RouteRateLimiter;
import dev.spillway.core.config.AdmissionConfig;
import dev.spillway.core.config.BandwidthConfig;
import dev.spillway.core.config.FailurePolicy;
import dev.spillway.core.config.IdentityConfig;
import dev.spillway.core.config.LimitConfig;
import dev.spillway.core.config.LimitUnit;
import dev.spillway.core.config.LimiterCacheConfig;
import dev.spillway.core.config.LimiterStoreConfig;
import dev.spillway.core.config.LimiterStoreType;
import dev.spillway.core.config.PriorityClass;
import dev.spillway.core.config.RejectionConfig;
import dev.spillway.core.config.TierConfig;
import dev.spillway.core.config.TokenEstimationConfig;
import dev.spillway.core.admission.ratelimit.RateLimitStats;
import dev.spillway.core.time.Ticker;
import dev.spillway.testing.StoreStates;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Several gateway instances' rate limiters (each with its own Redis connection, breaker and leases) on one
 * Redis, hammered by one thread per instance on wall-clock time: fake time cannot span a Redis server.
 */
final class Cluster implements AutoCloseable {
  static final String TIER = "basic";

  final List<RedisLimiterStore> stores = new ArrayList<>();
  final List<RouteRateLimiter> limiters = new ArrayList<>();
  final Tenant tenant;

  Cluster(String uri, int instances, LimitConfig limit, Duration timeout, FailurePolicy failure) {
    TierConfig tier = new TierConfig(TIER, PriorityClass.STANDARD, List.of(limit));
    tenant = new Tenant("t:acme", "acme", tier, true);
    LimiterStoreConfig config = new LimiterStoreConfig(LimiterStoreType.REDIS, uri, null, timeout, 0.05,
        instances, failure);
    AdmissionConfig admission = new AdmissionConfig(IdentityConfig.DEFAULTS, false, TIER, List.of(),
        TokenEstimationConfig.DEFAULTS, RejectionConfig.DEFAULTS);
    String route = "r" + System.nanoTime();
    for (int i = 0; i < instances; i++) {
      RedisLimiterStore store = RedisLimiterStore.open(config, Ticker.system());
      stores.add(store);
      RateLimitStats stats = new RateLimitStats();
      limiters.add(new RouteRateLimiter(admission, Map.of(TIER, tier),
          store.forRoute(route, LimiterCacheConfig.DEFAULTS, Ticker.system(), stats), stats));
    }
  }

  static LimitConfig requests(String bandwidth) {
    return new LimitConfig("rpm", LimitUnit.REQUESTS, List.of(BandwidthConfig.parse(bandwidth)), true);
  }

  static LimitConfig tokens(String bandwidth) {
    return new LimitConfig("tpm", LimitUnit.TOKENS, List.of(BandwidthConfig.parse(bandwidth)), true);
  }

  void awaitConnected() throws InterruptedException {
    StoreStates.awaitUp(stores, Duration.ofSeconds(10));
  }

  /**
   * Waits until every store is up again after Redis came back, sending a request now and then meanwhile: the
   * breaker tests Redis only when a lease asks it something.
   */
  void awaitUpUnderTraffic(Duration timeout) throws InterruptedException {
    java.util.concurrent.CompletableFuture<Void> up = StoreStates.whenAll(stores, LimiterStoreState.UP);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!up.isDone() && System.nanoTime() - deadline < 0) {
      hammer(Duration.ofMillis(50), 1, 1, 10_000);
    }
    StoreStates.await(up, stores, Duration.ZERO);
  }

  /** What one hammering run saw. */
  static final class Tally {
    final LongAdder admitted = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder admittedTokens = new LongAdder();
    final AtomicLong maxDecisionNanos = new AtomicLong();
    final java.util.Queue<Long> decisionNanos = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** The {@code q}-quantile of the decisions' durations. */
    long quantileNanos(double q) {
      long[] sorted = decisionNanos.stream().mapToLong(Long::longValue).sorted().toArray();
      return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))];
    }
  }

  /**
   * Every instance asks for {@code cost} tokens (settled at {@code actual}) in a loop for {@code duration}, pausing
   * {@code pauseMicros} between requests (bounded in count by time).
   */
  Tally hammer(Duration duration, long cost, long actual, long pauseMicros) throws InterruptedException {
    Tally tally = new Tally();
    long end = System.nanoTime() + duration.toNanos();
    List<Thread> threads = new ArrayList<>();
    for (RouteRateLimiter limiter : limiters) {
      Thread t = new Thread(() -> {
        while (System.nanoTime() < end) {
          long start = System.nanoTime();
          RateDecision d = limiter.acquire(tenant, cost);
          long took = System.nanoTime() - start;
          tally.maxDecisionNanos.accumulateAndGet(took, Math::max);
          tally.decisionNanos.add(took);
          if (d.admitted()) {
            tally.admitted.increment();
            tally.admittedTokens.add(actual);
            d.reservation().settle(actual);
          } else {
            tally.rejected.increment();
          }
          java.util.concurrent.locks.LockSupport.parkNanos(pauseMicros * 1000);
        }
      });
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    return tally;
  }

  @Override
  public void close() {
    stores.forEach(RedisLimiterStore::close);
  }
}
