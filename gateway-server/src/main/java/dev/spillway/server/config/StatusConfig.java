package dev.spillway.server.config;

import dev.spillway.core.config.Checks;
import dev.spillway.core.config.ConfigException;
import java.time.Duration;

/**
 * How the status tracker turns recent requests into a state per route and backend, and states into incidents.
 *
 * @param window how far back each evaluation looks (whole seconds)
 * @param minRequests fewer requests than this in the window never change a state
 * @param degradedErrorRate share of failed requests that makes a component degraded
 * @param outageErrorRate share of failed requests that makes a component an outage
 * @param atCapacityShedRate share of requests shed for capacity that makes a component at capacity
 * @param resolveAfter how long a condition must stay clear before its incident ends
 * @param groupWindow changes this close to an open (or just ended) incident join it instead of opening another
 * @param maxIncidents how many incidents are kept, newest first
 * @param publicPage the public status page ({@code status.public})
 */
public record StatusConfig(Duration window, int minRequests, double degradedErrorRate, double outageErrorRate,
    double atCapacityShedRate, Duration resolveAfter, Duration groupWindow, int maxIncidents,
    PublicPageConfig publicPage) {
  public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(30);
  public static final int DEFAULT_MIN_REQUESTS = 5;
  public static final double DEFAULT_DEGRADED_ERROR_RATE = 0.05;
  public static final double DEFAULT_OUTAGE_ERROR_RATE = 0.5;
  public static final double DEFAULT_AT_CAPACITY_SHED_RATE = 0.01;
  public static final Duration DEFAULT_RESOLVE_AFTER = Duration.ofSeconds(30);
  public static final Duration DEFAULT_GROUP_WINDOW = Duration.ofMinutes(2);
  public static final int DEFAULT_MAX_INCIDENTS = 100;
  public static final StatusConfig DEFAULTS = new StatusConfig(DEFAULT_WINDOW, DEFAULT_MIN_REQUESTS,
      DEFAULT_DEGRADED_ERROR_RATE, DEFAULT_OUTAGE_ERROR_RATE, DEFAULT_AT_CAPACITY_SHED_RATE, DEFAULT_RESOLVE_AFTER,
      DEFAULT_GROUP_WINDOW, DEFAULT_MAX_INCIDENTS);

  public StatusConfig {
    Checks.positive("window", window);
    if (window.toSeconds() < 1 || window.toSeconds() > 900) {
      throw new ConfigException("window", window.toSeconds() + "s (expected: 1s..15m)");
    }
    Checks.nonNegative("minRequests", minRequests);
    rate("degradedErrorRate", degradedErrorRate);
    rate("outageErrorRate", outageErrorRate);
    rate("atCapacityShedRate", atCapacityShedRate);
    if (outageErrorRate < degradedErrorRate) {
      throw new ConfigException("outageErrorRate", outageErrorRate + " (expected: >= degradedErrorRate, "
          + degradedErrorRate + ")");
    }
    Checks.nonNegative("resolveAfter", resolveAfter);
    Checks.nonNegative("groupWindow", groupWindow);
    Checks.positive("maxIncidents", maxIncidents);
    Checks.notNull("public", publicPage);
  }

  /** Without a public status page. */
  public StatusConfig(Duration window, int minRequests, double degradedErrorRate, double outageErrorRate,
      double atCapacityShedRate, Duration resolveAfter, Duration groupWindow, int maxIncidents) {
    this(window, minRequests, degradedErrorRate, outageErrorRate, atCapacityShedRate, resolveAfter, groupWindow,
        maxIncidents, PublicPageConfig.DISABLED);
  }

  /** The same settings with another public status page. */
  public StatusConfig withPublicPage(PublicPageConfig newPublicPage) {
    return new StatusConfig(window, minRequests, degradedErrorRate, outageErrorRate, atCapacityShedRate,
        resolveAfter, groupWindow, maxIncidents, newPublicPage);
  }

  private static void rate(String key, double value) {
    if (!(value > 0 && value <= 1)) {
      throw new ConfigException(key, value + " (expected: > 0 and <= 1)");
    }
  }

  /** The same thresholds with other timing (tests use seconds, not minutes). */
  public StatusConfig withTiming(Duration newResolveAfter, Duration newGroupWindow) {
    return new StatusConfig(window, minRequests, degradedErrorRate, outageErrorRate, atCapacityShedRate,
        newResolveAfter, newGroupWindow, maxIncidents, publicPage);
  }
}
