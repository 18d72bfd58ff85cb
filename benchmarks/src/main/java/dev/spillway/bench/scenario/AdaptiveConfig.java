package dev.spillway.bench.scenario;

/**
 * The Spillway configs of the unknown-capacity scenario. The backend's capacity is never written down:
 * Spillway gets {@code concurrency: {mode: adaptive}} and its defaults, and the admin server (for scraping the
 * limit) on a port of its own. The starting limit is set only in the runs that test convergence from far
 * below and far above.
 */
final class AdaptiveConfig {
  /** The whole of what Spillway is told about the backend's capacity. */
  static final String ADAPTIVE = "{mode: adaptive}";
  /**
   * Adaptive bounded by the engine's own queue (docs/admission.md, "Engine signals"): the vLLM preset's metric
   * names on {@code /metrics}, every other setting its default; for backends that serve engine metrics only.
   */
  static final String ENGINE_SIGNAL = "{mode: adaptive, engineSignal: " + engineSignal() + "}";
  /** The gauge that holds a backend's current limit (gateway-server's GatewayMetrics). */
  static final String LIMIT_GAUGE = "spillway_backend_concurrency_limit{backend=\"mock\"}";
  static final String IN_FLIGHT_GAUGE = "spillway_backend_in_flight{backend=\"mock\"}";
  static final String QUEUE_GAUGE = "spillway_waiting_room_depth{backend=\"mock\"}";
  /** The engine-signal gateways' view of the engine: its last scraped waiting queue, and whether it is acted on. */
  static final String ENGINE_WAITING_GAUGE = "spillway_engine_waiting{backend=\"mock\"}";
  static final String ENGINE_FRESH_GAUGE = "spillway_engine_signal_fresh{backend=\"mock\"}";
  /** The overflow tier's limit and in-flight count in the two-tier run. */
  static final String OVERFLOW_LIMIT_GAUGE = "spillway_backend_concurrency_limit{backend=\"overflow\"}";
  static final String OVERFLOW_IN_FLIGHT_GAUGE = "spillway_backend_in_flight{backend=\"overflow\"}";

  /**
   * The route of the two-tier overflow run: the primary backend first, then the overflow backend as a second
   * tier that takes, under its own limit, the requests of every priority class that the first tier's waiting
   * room cannot take (see docs/failover-and-retries.md, "Overflow before shedding").
   */
  static final String OVERFLOW_ROUTE = """
      routes:
        - name: all
          backends:
            - mock
            - {backend: overflow, overflow: [critical, standard, sheddable]}
      """;

  private AdaptiveConfig() {}

  /** Adaptive starting at {@code limit}. */
  static String adaptiveStartingAt(int limit) {
    return "{mode: adaptive, limit: " + limit + "}";
  }

  /** {@link #ENGINE_SIGNAL} starting at {@code limit} (the latency limit and the engine limit both). */
  static String engineSignalStartingAt(int limit) {
    return "{mode: adaptive, limit: " + limit + ", engineSignal: " + engineSignal() + "}";
  }

  /**
   * The {@code engineSignal} block: the vLLM preset and its defaults; {@code -Dunknown.engineCombine=override}
   * measures the engine limit alone ({@code combine: override}) instead of the default, the smaller of the
   * engine and latency limits.
   */
  static String engineSignal() {
    return "override".equals(engineCombine()) ? "{preset: vllm, combine: override}" : "{preset: vllm}";
  }

  /** {@code -Dunknown.engineCombine}: {@code min} (the default) or {@code override}. */
  static String engineCombine() {
    String combine = System.getProperty("unknown.engineCombine", "min").trim();
    if (!combine.equals("min") && !combine.equals("override")) {
      throw new IllegalArgumentException("unknown.engineCombine: " + combine + " (expected: min, override)");
    }
    return combine;
  }

  /**
   * A gateway on {@code port} with its admin server on {@code adminPort}, in front of the backend on
   * {@code backendPort} with {@code concurrency} (null: no limit at all); with {@code overflowPort} > 0 a
   * second backend there is the overflow tier (same {@code concurrency}).
   */
  static String yaml(int port, int adminPort, int backendPort, String concurrency, int overflowPort) {
    StringBuilder sb = new StringBuilder();
    sb.append("server:\n  host: 127.0.0.1\n  port: ").append(port).append("\n  shutdownTimeout: 0\n");
    sb.append("admin: {enabled: true, host: 127.0.0.1, port: ").append(adminPort).append("}\n");
    sb.append("accessLog: {enabled: false}\n");
    sb.append("backends:\n");
    backend(sb, "mock", backendPort, concurrency);
    if (overflowPort > 0) {
      backend(sb, "overflow", overflowPort, concurrency);
      sb.append(OVERFLOW_ROUTE);
    } else {
      sb.append("routes:\n  - name: all\n    backend: mock\n");
    }
    return sb.toString();
  }

  private static void backend(StringBuilder sb, String name, int port, String concurrency) {
    sb.append("  ").append(name).append(":\n    endpoints:\n      - http://127.0.0.1:").append(port).append('\n');
    sb.append("    pool: {maxConnections: 10000}\n");
    if (concurrency != null) {
      sb.append("    concurrency: ").append(concurrency).append('\n');
    }
  }
}
