package dev.spillway.core.config;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * One failover tier of a route: a backend to send the request to, optionally under another model name. A
 * route lists its tiers in order of preference (for example a primary region, a secondary region, then a
 * smaller fallback model); traffic spills to the next tier only while the ones before it have no available
 * endpoint.
 *
 * @param backend the name of a backend under {@code backends}
 * <p><b>Overflow.</b> A later tier may also take requests the primary cannot: when the primary backend is at
 * its concurrency limit and its waiting room turns a request away (full, or the request cannot be served in
 * time), a request of a class in {@code overflow} goes to the first such tier with a free slot under that
 * tier's own limit, instead of being shed. Empty (the default): nothing overflows to this tier.
 *
 * @param backend the name of a backend under {@code backends}
 * @param model the value the request's top-level {@code model} is rewritten to on this tier, or {@code null}
 *     to forward the client's own {@code model} unchanged
 * @param overflow the priority classes that may overflow to this tier; must be empty on the first tier
 */
public record FailoverTierConfig(String backend, String model, Set<PriorityClass> overflow) {
  public FailoverTierConfig {
    Checks.notBlank("backend", backend);
    if (model != null) {
      Checks.notBlank("model", model);
    }
    Checks.notNull("overflow", overflow);
    overflow = overflow.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(overflow));
  }

  /** A tier nothing overflows to. */
  public FailoverTierConfig(String backend, String model) {
    this(backend, model, Set.of());
  }

  /** This tier, taking overflow of {@code classes}. */
  public FailoverTierConfig withOverflow(Set<PriorityClass> classes) {
    return new FailoverTierConfig(backend, model, classes);
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
