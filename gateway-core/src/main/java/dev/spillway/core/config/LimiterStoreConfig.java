package dev.spillway.core.config;

import java.time.Duration;

/**
 * Where rate-limit buckets live and, for a shared store, how instances use it.
 *
 * @param type {@code local} (each instance on its own) or {@code redis} (shared)
 * @param uri the Redis URI ({@code redis://host:port/db} or {@code rediss://} for TLS); {@code null} when local
 * @param password the Redis password (from the environment), or {@code null} for none
 * @param timeout the deadline of every Redis call
 * @param batch the share of a limit's capacity an instance takes from Redis at a time (0 &lt; batch &le; 0.5): a
 *     tenant can exceed a limit by at most one batch per instance
 * @param expectedInstances how many instances share the store; a limit falling back to {@code local} enforces
 *     its capacity divided by this
 * @param failure what limits without a policy of their own do while Redis cannot be reached
 */
public record LimiterStoreConfig(LimiterStoreType type, String uri, String password, Duration timeout,
    double batch, int expectedInstances, FailurePolicy failure) {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(30);
  public static final double DEFAULT_BATCH = 0.05;
  public static final LimiterStoreConfig LOCAL = new LimiterStoreConfig(LimiterStoreType.LOCAL, null, null,
      DEFAULT_TIMEOUT, DEFAULT_BATCH, 1, FailurePolicy.LOCAL);

  public LimiterStoreConfig {
    Checks.notNull("type", type);
    Checks.positive("timeout", timeout);
    Checks.notNull("failure", failure);
    if (type == LimiterStoreType.REDIS && (uri == null || uri.isBlank())) {
      throw new ConfigException("uri", "missing (expected: redis://host:port or rediss://host:port with type: redis)");
    }
    if (uri != null && !uri.startsWith("redis://") && !uri.startsWith("rediss://")) {
      throw new ConfigException("uri", "\"" + uri + "\" (expected: redis://host:port or rediss://host:port)");
    }
    if (!(batch > 0 && batch <= 0.5)) {
      throw new ConfigException("batch", batch + " (expected: > 0 and <= 0.5, a share of each limit's capacity)");
    }
    if (expectedInstances < 1) {
      throw new ConfigException("expectedInstances", expectedInstances + " (expected: >= 1)");
    }
    if (failure == FailurePolicy.STORE_DEFAULT) {
      throw new ConfigException("failure", "store_default (expected: local, open or closed)");
    }
    if (timeout.compareTo(Duration.ofSeconds(5)) > 0) {
      throw new ConfigException("timeout", timeout.toMillis() + "ms (expected: at most 5s; requests never wait for"
          + " Redis, but a slow answer keeps a lease short)");
    }
  }

  /** {@code failure} for a limit whose own policy is {@code policy}. */
  public FailurePolicy resolve(FailurePolicy policy) {
    return policy == FailurePolicy.STORE_DEFAULT ? failure : policy;
  }

  @Override
  public String toString() {
    // Never print the password.
    return "LimiterStoreConfig[type=" + type + ", uri=" + uri + ", password=" + (password == null ? "none" : "***")
        + ", timeout=" + timeout + ", batch=" + batch + ", expectedInstances=" + expectedInstances + ", failure="
        + failure + "]";
  }
}
