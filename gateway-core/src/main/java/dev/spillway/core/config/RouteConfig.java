package dev.spillway.core.config;

import java.util.List;

/**
 * A route: requests that {@link RouteMatch match} go to its failover tiers, the first of which is
 * {@code backend}. Routes are tried in order; the first match wins.
 *
 * @param name unique name, used in logs and metrics
 * @param match which requests this route takes
 * @param backend the name of a backend under {@code backends}: the first tier's
 * @param admission admission control, or {@code null} for none
 * @param tiers the failover tiers, most preferred first ({@code routes[].backends}), 1..{@value #MAX_TIERS};
 *     {@code null} means one tier, {@code backend} with the client's own model
 * @param retry when and how attempts are retried
 * @param stream how streamed responses are held back and kept alive
 */
public record RouteConfig(String name, RouteMatch match, String backend, AdmissionConfig admission,
    List<FailoverTierConfig> tiers, RetryConfig retry, StreamConfig stream) {
  /** The most tiers a route may list (the request path packs a tier order into a {@code long}). */
  public static final int MAX_TIERS = 15;

  public RouteConfig {
    Checks.notBlank("name", name);
    Checks.notNull("match", match);
    Checks.notBlank("backend", backend);
    tiers = tiers == null ? List.of(FailoverTierConfig.of(backend)) : List.copyOf(tiers);
    if (tiers.isEmpty() || tiers.size() > MAX_TIERS) {
      throw new ConfigException("backends", tiers.size() + " backends (expected: 1.." + MAX_TIERS + ")");
    }
    if (!tiers.get(0).backend().equals(backend)) {
      throw new ConfigException("backend", "\"" + backend + "\" (expected: the first of backends, \""
          + tiers.get(0).backend() + "\"; with backends, leave backend out)");
    }
    if (!tiers.get(0).overflow().isEmpty()) {
      throw new ConfigException("backends[0].overflow", tiers.get(0).overflow().stream()
          .map(c -> c.name().toLowerCase(java.util.Locale.ROOT)).toList()
          + " (expected: none on the primary; overflow goes from the primary to a fallback)");
    }
    Checks.notNull("retry", retry);
    Checks.notNull("stream", stream);
  }

  /** A route with admission control, one tier and default retry and stream settings. */
  public RouteConfig(String name, RouteMatch match, String backend, AdmissionConfig admission) {
    this(name, match, backend, admission, null, RetryConfig.DEFAULTS, StreamConfig.DEFAULTS);
  }

  /** A route without admission control. */
  public RouteConfig(String name, RouteMatch match, String backend) {
    this(name, match, backend, null);
  }

  /** This route with other failover tiers; {@code backend} becomes the first tier's. */
  public RouteConfig withTiers(List<FailoverTierConfig> newTiers) {
    Checks.notNull("backends", newTiers);
    String first = newTiers.isEmpty() ? backend : newTiers.get(0).backend();
    return new RouteConfig(name, match, first, admission, newTiers, retry, stream);
  }

  public RouteConfig withRetry(RetryConfig newRetry) {
    return new RouteConfig(name, match, backend, admission, tiers, newRetry, stream);
  }

  public RouteConfig withStream(StreamConfig newStream) {
    return new RouteConfig(name, match, backend, admission, tiers, retry, newStream);
  }
}
