package dev.spillway.core.config;

import java.time.Duration;

/**
 * Where per-tenant buckets live: a bounded in-memory cache.
 *
 * @param maxTenants most buckets kept (per limit); the least valuable are evicted past it
 * @param idleExpiry a bucket unused this long is dropped (it would have refilled anyway)
 */
public record LimiterCacheConfig(long maxTenants, Duration idleExpiry) {
  public static final long DEFAULT_MAX_TENANTS = 100_000;
  public static final Duration DEFAULT_IDLE_EXPIRY = Duration.ofHours(1);
  public static final LimiterCacheConfig DEFAULTS = new LimiterCacheConfig(DEFAULT_MAX_TENANTS,
      DEFAULT_IDLE_EXPIRY);

  public LimiterCacheConfig {
    Checks.positive("maxTenants", maxTenants);
    Checks.positive("idleExpiry", idleExpiry);
  }
}
