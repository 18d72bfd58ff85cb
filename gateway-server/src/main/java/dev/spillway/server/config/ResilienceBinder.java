package dev.spillway.server.config;

import dev.spillway.core.config.Balancing;
import dev.spillway.core.config.BreakerConfig;
import dev.spillway.core.config.HealthCheckConfig;
import dev.spillway.core.config.OutlierConfig;
import dev.spillway.core.config.ResilienceConfig;
import java.time.Duration;
import java.util.List;

/**
 * Binds the balancing and resilience keys that sit directly under {@code backends.<name>} ({@code balancing},
 * {@code breaker}, {@code healthCheck}, {@code outlier}, {@code maxEjectedPercent}, {@code maxCooldown}) to a
 * {@link ResilienceConfig}. Every key is optional; a nested map that is present starts from the record's
 * defaults, so {@code breaker: {waitInOpen: 10s}} changes only that.
 */
final class ResilienceBinder {
  static final List<String> BREAKER_KEYS = List.of("enabled", "failureRateThreshold", "slowCallRateThreshold",
      "slowCallDuration", "windowType", "windowSize", "minimumCalls", "waitInOpen", "maxWaitInOpen",
      "halfOpenCalls");
  static final List<String> HEALTH_CHECK_KEYS = List.of("enabled", "path", "interval", "jitter", "timeout",
      "healthyThreshold", "unhealthyThreshold");
  static final List<String> OUTLIER_KEYS = List.of("enabled", "consecutiveFailures", "baseEjection",
      "maxEjection");

  private ResilienceBinder() {}

  /** The backend's resilience settings, or {@code null} if any error was reported. */
  static ResilienceConfig bind(MappingReader backend) {
    int errorsBefore = backend.problems().count();
    Balancing balancing = backend.enumValue("balancing", Balancing.class, "a balancing strategy",
        ResilienceConfig.DEFAULT_BALANCING);
    MappingReader breakerReader = backend.mapping("breaker");
    BreakerConfig breaker = breakerReader == null ? null : breaker(breakerReader);
    MappingReader healthReader = backend.mapping("healthCheck");
    HealthCheckConfig healthCheck = healthReader == null ? null : healthCheck(healthReader);
    MappingReader outlierReader = backend.mapping("outlier");
    OutlierConfig outlier = outlierReader == null ? null : outlier(outlierReader);
    int maxEjectedPercent = backend.integer("maxEjectedPercent", ResilienceConfig.DEFAULT_MAX_EJECTED_PERCENT);
    Duration maxCooldown = backend.duration("maxCooldown", ResilienceConfig.DEFAULT_MAX_COOLDOWN);
    // Parts that failed (already reported) get valid stand-ins, so the constructor still checks the rest.
    ResilienceConfig config = backend.construct(() -> new ResilienceConfig(balancing,
        breaker == null ? BreakerConfig.DEFAULTS : breaker,
        healthCheck == null ? HealthCheckConfig.DEFAULTS : healthCheck,
        outlier == null ? OutlierConfig.DEFAULTS : outlier, maxEjectedPercent, maxCooldown));
    return backend.problems().count() > errorsBefore ? null : config;
  }

  private static BreakerConfig breaker(MappingReader breaker) {
    int errorsBefore = breaker.problems().count();
    breaker.rejectUnknownKeys(BREAKER_KEYS);
    BreakerConfig d = BreakerConfig.DEFAULTS;
    boolean enabled = breaker.bool("enabled", d.enabled());
    int failureRate = breaker.integer("failureRateThreshold", BreakerConfig.DEFAULT_FAILURE_RATE_THRESHOLD);
    int slowCallRate = breaker.integer("slowCallRateThreshold", BreakerConfig.DEFAULT_SLOW_CALL_RATE_THRESHOLD);
    Duration slowCallDuration = breaker.duration("slowCallDuration", BreakerConfig.DEFAULT_SLOW_CALL_DURATION);
    BreakerConfig.WindowType windowType = breaker.enumValue("windowType", BreakerConfig.WindowType.class,
        "a window type", BreakerConfig.DEFAULT_WINDOW_TYPE);
    int windowSize = breaker.integer("windowSize", BreakerConfig.DEFAULT_WINDOW_SIZE);
    int minimumCalls = breaker.integer("minimumCalls", BreakerConfig.DEFAULT_MINIMUM_CALLS);
    Duration waitInOpen = breaker.duration("waitInOpen", BreakerConfig.DEFAULT_WAIT_IN_OPEN);
    Duration maxWaitInOpen = breaker.duration("maxWaitInOpen", waitInOpen == null
        ? BreakerConfig.DEFAULT_MAX_WAIT_IN_OPEN : BreakerConfig.defaultMaxWaitInOpen(waitInOpen));
    int halfOpenCalls = breaker.integer("halfOpenCalls", BreakerConfig.DEFAULT_HALF_OPEN_CALLS);
    BreakerConfig config = breaker.construct(() -> new BreakerConfig(enabled, failureRate, slowCallRate,
        slowCallDuration, windowType, windowSize, minimumCalls, waitInOpen, maxWaitInOpen, halfOpenCalls));
    return breaker.problems().count() > errorsBefore ? null : config;
  }

  private static HealthCheckConfig healthCheck(MappingReader health) {
    int errorsBefore = health.problems().count();
    health.rejectUnknownKeys(HEALTH_CHECK_KEYS);
    boolean enabled = health.bool("enabled", HealthCheckConfig.DEFAULTS.enabled());
    String path = health.string("path", HealthCheckConfig.DEFAULT_PATH);
    Duration interval = health.duration("interval", HealthCheckConfig.DEFAULT_INTERVAL);
    double jitter = health.decimal("jitter", HealthCheckConfig.DEFAULT_JITTER);
    Duration timeout = health.duration("timeout", HealthCheckConfig.DEFAULT_TIMEOUT);
    int healthy = health.integer("healthyThreshold", HealthCheckConfig.DEFAULT_HEALTHY_THRESHOLD);
    int unhealthy = health.integer("unhealthyThreshold", HealthCheckConfig.DEFAULT_UNHEALTHY_THRESHOLD);
    HealthCheckConfig config = health.construct(() -> new HealthCheckConfig(enabled, path, interval, jitter,
        timeout, healthy, unhealthy));
    return health.problems().count() > errorsBefore ? null : config;
  }

  private static OutlierConfig outlier(MappingReader outlier) {
    int errorsBefore = outlier.problems().count();
    outlier.rejectUnknownKeys(OUTLIER_KEYS);
    boolean enabled = outlier.bool("enabled", OutlierConfig.DEFAULTS.enabled());
    int consecutiveFailures = outlier.integer("consecutiveFailures", OutlierConfig.DEFAULT_CONSECUTIVE_FAILURES);
    Duration baseEjection = outlier.duration("baseEjection", OutlierConfig.DEFAULT_BASE_EJECTION);
    Duration maxEjection = outlier.duration("maxEjection", OutlierConfig.DEFAULT_MAX_EJECTION);
    OutlierConfig config = outlier.construct(() -> new OutlierConfig(enabled, consecutiveFailures, baseEjection,
        maxEjection));
    return outlier.problems().count() > errorsBefore ? null : config;
  }
}
