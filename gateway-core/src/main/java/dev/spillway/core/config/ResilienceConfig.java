package dev.spillway.core.config;

import java.time.Duration;

/**
 * How a backend balances over its endpoints and routes around failing ones. The loader reads these keys
 * directly under {@code backends.<name>} (there is no {@code resilience} key); this record only groups them.
 *
 * @param balancing {@code balancing}: how requests are spread
 * @param breaker {@code breaker}: one circuit breaker per endpoint
 * @param healthCheck {@code healthCheck}: active probes
 * @param outlier {@code outlier}: passive ejection on consecutive failures
 * @param maxEjectedPercent {@code maxEjectedPercent}: most endpoints (as a percentage of the backend's,
 *     rounded down) that may be ejected or unhealthy at once; past it the gateway is in panic mode and routes
 *     to all of them, because a partial service beats a total outage; 0..100
 * @param maxCooldown {@code maxCooldown}: the longest an upstream's {@code Retry-After} or
 *     {@code x-ratelimit-reset-*} may keep an endpoint cooling down, so one bogus header cannot take it out
 *     for hours
 */
public record ResilienceConfig(
    Balancing balancing,
    BreakerConfig breaker,
    HealthCheckConfig healthCheck,
    OutlierConfig outlier,
    int maxEjectedPercent,
    Duration maxCooldown) {

  public static final Balancing DEFAULT_BALANCING = Balancing.POWER_OF_TWO_CHOICES;
  public static final int DEFAULT_MAX_EJECTED_PERCENT = 50;
  public static final Duration DEFAULT_MAX_COOLDOWN = Duration.ofMinutes(5);

  public static final ResilienceConfig DEFAULTS = new ResilienceConfig(DEFAULT_BALANCING, BreakerConfig.DEFAULTS,
      HealthCheckConfig.DEFAULTS, OutlierConfig.DEFAULTS, DEFAULT_MAX_EJECTED_PERCENT, DEFAULT_MAX_COOLDOWN);

  public ResilienceConfig {
    Checks.notNull("balancing", balancing);
    Checks.notNull("breaker", breaker);
    Checks.notNull("healthCheck", healthCheck);
    Checks.notNull("outlier", outlier);
    Checks.inRange("maxEjectedPercent", maxEjectedPercent, 0, 100);
    Checks.positive("maxCooldown", maxCooldown);
  }

  public ResilienceConfig withBalancing(Balancing newBalancing) {
    return new ResilienceConfig(newBalancing, breaker, healthCheck, outlier, maxEjectedPercent, maxCooldown);
  }
}
