package dev.spillway.core.admission.ratelimit;

import dev.spillway.core.config.LimitConfig;
import io.github.bucket4j.BucketConfiguration;
import java.util.List;

/**
 * The limits of one scope, in config order: a tier's (each tenant gets its own buckets of them) or a route's
 * (one set of buckets shared by every tenant). A {@link BucketStore} makes one bucket per limit from
 * {@link #configuration}.
 */
public final class LimitSet {
  private final String scope;
  private final Limit[] limits;
  private final LimitConfig[] configs;

  LimitSet(String scope, List<LimitConfig> configs, RateLimitStats stats) {
    this.scope = scope;
    limits = new Limit[configs.size()];
    this.configs = configs.toArray(new LimitConfig[0]);
    for (int i = 0; i < limits.length; i++) {
      LimitConfig config = configs.get(i);
      limits[i] = new Limit(config, stats.register(scope + "." + config.name()));
    }
  }

  /** {@code route} for a route's shared limits, else the tier's name. */
  public String scope() {
    return scope;
  }

  public int size() {
    return limits.length;
  }

  public boolean isEmpty() {
    return limits.length == 0;
  }

  /** The bandwidths of the {@code index}-th limit. */
  public BucketConfiguration configuration(int index) {
    return limits[index].configuration;
  }

  /** The {@code index}-th limit's name: a bucket keeps its level across reloads under the same name. */
  public String name(int index) {
    return limits[index].name;
  }

  /** The index of the limit named {@code name}, or -1. */
  int indexOf(String name) {
    for (int i = 0; i < limits.length; i++) {
      if (limits[i].name.equals(name)) {
        return i;
      }
    }
    return -1;
  }

  /** The {@code index}-th limit as configured. */
  public LimitConfig config(int index) {
    return configs[index];
  }

  Limit limit(int index) {
    return limits[index];
  }
}
