package dev.spillway.core.admission.ratelimit;

import dev.spillway.core.admission.Tenant;
import dev.spillway.core.config.AdmissionConfig;
import dev.spillway.core.config.BandwidthConfig;
import dev.spillway.core.config.IdentityConfig;
import dev.spillway.core.config.LimitConfig;
import dev.spillway.core.config.LimitUnit;
import dev.spillway.core.config.LimiterCacheConfig;
import dev.spillway.core.config.PriorityClass;
import dev.spillway.core.config.RejectionConfig;
import dev.spillway.core.config.TierConfig;
import dev.spillway.core.config.TokenEstimationConfig;
import dev.spillway.core.time.FakeTicker;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Builds limiters over a fake ticker from compact limit specs ({@code "10/s"}). */
final class LimiterFixtures {
  static final String TIER = "basic";

  final FakeTicker ticker = new FakeTicker();
  final RateLimitStats stats = new RateLimitStats();
  LocalBucketStore store;

  static LimitConfig requests(String name, String... bandwidths) {
    return limit(name, LimitUnit.REQUESTS, true, bandwidths);
  }

  static LimitConfig tokens(String name, String... bandwidths) {
    return limit(name, LimitUnit.TOKENS, true, bandwidths);
  }

  static LimitConfig shadow(LimitConfig limit) {
    return new LimitConfig(limit.name(), limit.unit(), limit.bandwidths(), false);
  }

  static LimitConfig limit(String name, LimitUnit unit, boolean enforce, String... bandwidths) {
    return new LimitConfig(name, unit, Arrays.stream(bandwidths).map(BandwidthConfig::parse).toList(), enforce);
  }

  static TierConfig tier(List<LimitConfig> limits) {
    return new TierConfig(TIER, PriorityClass.STANDARD, limits);
  }

  static Tenant tenant(String name, TierConfig tier) {
    return new Tenant("t:" + name, name, tier, true);
  }

  static AdmissionConfig admission(List<LimitConfig> routeLimits) {
    return new AdmissionConfig(IdentityConfig.DEFAULTS, false, TIER, routeLimits, TokenEstimationConfig.DEFAULTS,
        RejectionConfig.DEFAULTS);
  }

  RouteRateLimiter limiter(TierConfig tier, List<LimitConfig> routeLimits) {
    return limiter(tier, routeLimits, LimiterCacheConfig.DEFAULTS);
  }

  RouteRateLimiter limiter(TierConfig tier, List<LimitConfig> routeLimits, LimiterCacheConfig cache) {
    store = new LocalBucketStore(cache, ticker, stats);
    return new RouteRateLimiter(admission(routeLimits), Map.of(tier.name(), tier), store, stats);
  }

  static LimiterCacheConfig cache(long maxTenants) {
    return new LimiterCacheConfig(maxTenants, Duration.ofHours(1));
  }
}
