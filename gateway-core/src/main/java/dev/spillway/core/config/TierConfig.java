package dev.spillway.core.config;

import java.util.List;

/**
 * A service tier: the limits each of its tenants gets (per route, each tenant its own buckets) and the
 * priority class its requests wait in.
 */
public record TierConfig(String name, PriorityClass priority, List<LimitConfig> limits) {
  public static final PriorityClass DEFAULT_PRIORITY = PriorityClass.STANDARD;

  public TierConfig {
    Checks.notBlank("name", name);
    Checks.notNull("priority", priority);
    limits = List.copyOf(Checks.notNull("limits", limits));
    LimitNames.checkUnique(limits);
  }
}
