package dev.spillway.bench.scenario;

/**
 * The config of one of the cluster scenario's gateways: one route to the mock backend with admission, a
 * tenant held by a request limit and one held by a token limit, the limiter store local or on Redis, and an
 * admin server of its own (for its metrics).
 */
final class ClusterConfig {
  static final String REQUEST_KEY = "sk-cluster-requests";
  static final String TOKEN_KEY = "sk-cluster-tokens";
  /** Tenants of the same tiers that warm the gateways up without touching the measured tenants' buckets. */
  static final String WARM_REQUEST_KEY = "sk-cluster-warm-requests";
  static final String WARM_TOKEN_KEY = "sk-cluster-warm-tokens";

  private ClusterConfig() {}

  /**
   * @param redisUri the Redis of a shared store, or {@code null} for a local store
   * @param requestsPerMinute the request tenant's limit
   * @param tokensPerMinute the token tenant's limit
   */
  static String yaml(int port, int adminPort, int mockPort, String redisUri, long requestsPerMinute,
      long tokensPerMinute) {
    StringBuilder sb = new StringBuilder();
    sb.append("server:\n  host: 127.0.0.1\n  port: ").append(port).append("\n  shutdownTimeout: 0\n");
    sb.append("admin: {host: 127.0.0.1, port: ").append(adminPort).append("}\n");
    sb.append("accessLog: {enabled: false}\n");
    sb.append("backends:\n  mock:\n    endpoints: [http://127.0.0.1:").append(mockPort).append("]\n");
    sb.append("    pool: {maxConnections: 10000}\n");
    sb.append("routes:\n  - name: all\n    backend: mock\n    admission:\n");
    sb.append("      identity: {source: apiKey}\n      requireKnownKey: true\n      defaultTier: requests\n");
    sb.append("tiers:\n");
    sb.append("  requests:\n    limits: [{name: rpm, unit: requests, bandwidths: ").append(requestsPerMinute)
        .append("/1m}]\n");
    sb.append("  tokens:\n    limits: [{name: tpm, unit: tokens, bandwidths: ").append(tokensPerMinute)
        .append("/1m}]\n");
    sb.append("tenants:\n");
    sb.append("  - {name: requests, tier: requests, keys: [\"").append(REQUEST_KEY).append("\"]}\n");
    sb.append("  - {name: tokens, tier: tokens, keys: [\"").append(TOKEN_KEY).append("\"]}\n");
    sb.append("  - {name: warm-requests, tier: requests, keys: [\"").append(WARM_REQUEST_KEY).append("\"]}\n");
    sb.append("  - {name: warm-tokens, tier: tokens, keys: [\"").append(WARM_TOKEN_KEY).append("\"]}\n");
    if (redisUri != null) {
      // A deadline above the default 30 ms: load generator, gateways, mock and Redis share this machine's cores.
      sb.append("limiterStore: {type: redis, uri: \"").append(redisUri).append("\", timeout: ")
          .append(ClusterScenario.REDIS_TIMEOUT.toMillis()).append("ms, batch: ").append(ClusterScenario.BATCH)
          .append(", expectedInstances: ").append(ClusterScenario.INSTANCES).append("}\n");
    }
    return sb.toString();
  }
}
