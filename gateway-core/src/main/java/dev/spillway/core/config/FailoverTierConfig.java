package dev.spillway.core.config;

/**
 * One failover tier of a route: a backend to send the request to, optionally under another model name. A
 * route lists its tiers in order of preference (for example a primary region, a secondary region, then a
 * smaller fallback model); traffic spills to the next tier only while the ones before it have no available
 * endpoint.
 *
 * @param backend the name of a backend under {@code backends}
 * @param model the value the request's top-level {@code model} is rewritten to on this tier, or {@code null}
 *     to forward the client's own {@code model} unchanged
 */
public record FailoverTierConfig(String backend, String model) {
  public FailoverTierConfig {
    Checks.notBlank("backend", backend);
    if (model != null) {
      Checks.notBlank("model", model);
    }
  }

  /** A tier that forwards the request's model unchanged. */
  public static FailoverTierConfig of(String backend) {
    return new FailoverTierConfig(backend, null);
  }

  /** Whether this tier rewrites the request's {@code model}. */
  public boolean rewritesModel() {
    return model != null;
  }
}
