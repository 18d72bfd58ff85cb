package dev.spillway.core.config;

import java.time.Duration;

/**
 * Passive outlier ejection ({@code backends.<name>.outlier}): an endpoint whose calls fail
 * {@code consecutiveFailures} times in a row is taken out of rotation for a backoff that doubles with each
 * repeat: {@code baseEjection × 2^(n-1)}, at most {@code maxEjection}. An ejection counts as a repeat when
 * it comes less than {@code maxEjection} after the endpoint was last restored; otherwise {@code n} starts
 * again at 1. How many endpoints may be out at once is {@code backends.<name>.maxEjectedPercent}.
 *
 * @param enabled whether failures eject at all
 * @param consecutiveFailures failed calls in a row that eject an endpoint
 * @param baseEjection the first ejection's length
 * @param maxEjection the longest ejection
 */
public record OutlierConfig(boolean enabled, int consecutiveFailures, Duration baseEjection, Duration maxEjection) {
  public static final int DEFAULT_CONSECUTIVE_FAILURES = 5;
  public static final Duration DEFAULT_BASE_EJECTION = Duration.ofSeconds(30);
  public static final Duration DEFAULT_MAX_EJECTION = Duration.ofMinutes(5);

  public static final OutlierConfig DEFAULTS = new OutlierConfig(true, DEFAULT_CONSECUTIVE_FAILURES,
      DEFAULT_BASE_EJECTION, DEFAULT_MAX_EJECTION);

  public OutlierConfig {
    Checks.positive("consecutiveFailures", consecutiveFailures);
    Checks.positive("baseEjection", baseEjection);
    Checks.positive("maxEjection", maxEjection);
    if (maxEjection.compareTo(baseEjection) < 0) {
      throw new ConfigException("maxEjection", Durations.format(maxEjection) + " (expected: >= baseEjection "
          + Durations.format(baseEjection) + ")");
    }
  }
}
