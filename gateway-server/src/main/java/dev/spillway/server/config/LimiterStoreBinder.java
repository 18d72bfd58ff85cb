package dev.spillway.server.config;

import dev.spillway.core.config.FailurePolicy;
import dev.spillway.core.config.LimiterStoreConfig;
import dev.spillway.core.config.LimiterStoreType;
import java.time.Duration;
import java.util.List;

/**
 * Binds {@code limiterStore}: where rate-limit buckets live ({@code type: local}, the default, or {@code redis}
 * shared by every instance). Secrets come from the environment through the usual {@code ${VAR}} substitution
 * ({@code password: ${REDIS_PASSWORD}}); {@code tls: true} (or a {@code rediss://} uri) encrypts the connection.
 */
final class LimiterStoreBinder {
  static final List<String> KEYS = List.of("type", "uri", "password", "tls", "timeout", "batch",
      "expectedInstances", "failure");

  /** The failure policies a config may name (the store's default is not one of them). */
  enum Failure {
    LOCAL(FailurePolicy.LOCAL), OPEN(FailurePolicy.OPEN), CLOSED(FailurePolicy.CLOSED);

    final FailurePolicy policy;

    Failure(FailurePolicy policy) {
      this.policy = policy;
    }
  }

  private LimiterStoreBinder() {}

  /** {@link LimiterStoreConfig#LOCAL} when absent; {@code null} if any error was reported. */
  static LimiterStoreConfig bind(MappingReader store) {
    int errorsBefore = store.problems().count();
    store.rejectUnknownKeys(KEYS);
    LimiterStoreType type = store.enumValue("type", LimiterStoreType.class, "a limiter store type",
        LimiterStoreType.LOCAL);
    String uri = store.string("uri", null);
    String password = store.string("password", null);
    boolean tls = store.bool("tls", false);
    Duration timeout = store.duration("timeout", LimiterStoreConfig.DEFAULT_TIMEOUT);
    double batch = store.decimal("batch", LimiterStoreConfig.DEFAULT_BATCH);
    int expectedInstances = store.integer("expectedInstances", 1);
    Failure failure = store.enumValue("failure", Failure.class, "a failure policy", Failure.LOCAL);
    if (type == LimiterStoreType.REDIS && !store.has("expectedInstances")) {
      store.missing("expectedInstances", "how many instances share the store, e.g. 3 (a limit falling back to"
          + " local enforces its capacity divided by it)");
    }
    String effectiveUri = tls && uri != null && uri.startsWith("redis://") ? "rediss://" + uri.substring(8) : uri;
    LimiterStoreConfig config = store.construct(() -> new LimiterStoreConfig(type, effectiveUri, password,
        timeout, batch, expectedInstances, failure == null ? FailurePolicy.LOCAL : failure.policy));
    return store.problems().count() > errorsBefore ? null : config;
  }
}
