package dev.spillway.core.config;

/**
 * A route: requests that {@link RouteMatch match} go to {@code backend}. Routes are tried in order; the first
 * match wins.
 *
 * @param name unique name, used in logs and metrics
 * @param match which requests this route takes
 * @param backend the name of a backend under {@code backends}
 * @param admission admission control, or {@code null} for none
 */
public record RouteConfig(String name, RouteMatch match, String backend, AdmissionConfig admission) {
  public RouteConfig {
    Checks.notBlank("name", name);
    Checks.notNull("match", match);
    Checks.notBlank("backend", backend);
  }

  /** A route without admission control. */
  public RouteConfig(String name, RouteMatch match, String backend) {
    this(name, match, backend, null);
  }
}
