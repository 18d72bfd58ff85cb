package dev.spillway.server.metrics;

import dev.spillway.core.admission.ratelimit.BucketStores;
import dev.spillway.core.admission.ratelimit.redis.LimiterStoreState;
import dev.spillway.core.admission.ratelimit.redis.LimiterStoreStats;
import dev.spillway.core.admission.ratelimit.redis.RedisLimiterStore;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.TimeUnit;

/** {@code spillway_limiter_store_*}: the shared (Redis) limiter store's calls and health. Nothing for a local store. */
final class LimiterStoreMeters {
  private LimiterStoreMeters() {}

  static void bind(MeterRegistry registry, BucketStores stores) {
    if (!(stores instanceof RedisLimiterStore store)) {
      return;
    }
    LimiterStoreStats stats = store.stats();
    FunctionTimer.builder("spillway_limiter_store_operations", stats, LimiterStoreStats::operations,
            LimiterStoreStats::latencyNanos, TimeUnit.NANOSECONDS)
        .description("Redis operations (each a Bucket4j command: a lease taken or tokens given back) and their time")
        .register(registry);
    FunctionCounter.builder("spillway_limiter_store_errors", stats, LimiterStoreStats::errors)
        .description("Redis operations that failed or missed their deadline").register(registry);
    FunctionCounter.builder("spillway_limiter_store_timeouts", stats, LimiterStoreStats::timeouts)
        .description("Redis operations that missed their deadline").register(registry);
    FunctionCounter.builder("spillway_limiter_store_breaker_rejections", stats, LimiterStoreStats::rejectedByBreaker)
        .description("Redis operations not sent because the breaker around Redis was open").register(registry);
    FunctionCounter.builder("spillway_limiter_store_leased_tokens", stats, LimiterStoreStats::leasedTokens)
        .description("Tokens this instance took from shared buckets").register(registry);
    FunctionCounter.builder("spillway_limiter_store_fallback_decisions", stats, LimiterStoreStats::fallbackDecisions)
        .description("Rate-limit decisions made by a limit's failure policy because Redis could not be used")
        .register(registry);
    FunctionCounter.builder("spillway_limiter_store_closed_rejections", stats, LimiterStoreStats::closedRejections)
        .description("Requests limits with failure policy closed refused because Redis could not be used")
        .register(registry);
    FunctionTimer.builder("spillway_limiter_store_decisions", stats, LimiterStoreStats::decisions,
            LimiterStoreStats::decisionNanos, TimeUnit.NANOSECONDS)
        .description("Rate-limit decisions on shared buckets and their time (never a Redis call)")
        .register(registry);
    Gauge.builder("spillway_limiter_store_decision_max", stats, s -> s.maxDecisionNanos() / 1e9)
        .description("The slowest decision on a shared bucket so far").baseUnit("seconds").register(registry);
    Gauge.builder("spillway_limiter_store_latency_max", stats, s -> s.maxLatencyNanos() / 1e9)
        .description("The slowest Redis operation so far").baseUnit("seconds").register(registry);
    for (LimiterStoreState state : LimiterStoreState.values()) {
      Gauge.builder("spillway_limiter_store_state", store, s -> s.state() == state ? 1 : 0)
          .tag("state", state.name().toLowerCase(java.util.Locale.ROOT))
          .description("1 for the store's current state (connecting, up, degraded)").register(registry);
    }
  }
}
