package dev.spillway.server.config;

import dev.spillway.core.config.Checks;
import dev.spillway.core.config.ConfigException;

/**
 * The access log: one JSON line per request on the {@code spillway.access} logger.
 *
 * @param enabled whether lines are written at all
 * @param sampleRate share of admitted requests logged (0..1)
 * @param maxShedPerSecond at most this many shed requests are logged per second; the rest are only counted
 */
public record AccessLogConfig(boolean enabled, double sampleRate, int maxShedPerSecond) {
  public static final double DEFAULT_SAMPLE_RATE = 1.0;
  public static final int DEFAULT_MAX_SHED_PER_SECOND = 10;
  public static final AccessLogConfig DEFAULTS = new AccessLogConfig(true, DEFAULT_SAMPLE_RATE,
      DEFAULT_MAX_SHED_PER_SECOND);

  public AccessLogConfig {
    if (!(sampleRate >= 0 && sampleRate <= 1)) {
      throw new ConfigException("sampleRate", sampleRate + " (expected: 0..1)");
    }
    Checks.nonNegative("maxShedPerSecond", maxShedPerSecond);
  }
}
