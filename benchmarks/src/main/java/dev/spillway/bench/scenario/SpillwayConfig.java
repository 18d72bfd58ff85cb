package dev.spillway.bench.scenario;

/** The Spillway config file a scenario runs with, generated from a {@link ProxySetup}. */
final class SpillwayConfig {
  private SpillwayConfig() {}

  static String yaml(ProxySetup setup, int port) {
    StringBuilder sb = new StringBuilder();
    sb.append("server:\n  host: 127.0.0.1\n  port: ").append(port).append("\n  shutdownTimeout: 0\n");
    // Several gateways run side by side: no admin server (its fixed port would clash), and no access log,
    // like the nginx template (access_log off), so the comparison is of proxying alone.
    sb.append("admin: {enabled: false}\n");
    sb.append("accessLog: {enabled: false}\n");
    sb.append("backends:\n  mock:\n    endpoints:\n");
    for (int p : setup.endpoints()) {
      sb.append("      - http://127.0.0.1:").append(p).append('\n');
    }
    // Room for 10,000 streams however they spread over the event loops.
    sb.append("    pool: {maxConnections: 10000}\n");
    if (setup.concurrency() > 0) {
      sb.append("    concurrency: ").append(setup.concurrency()).append('\n');
      sb.append("    waitingRoom: {maxQueue: ").append(setup.queue()).append(", maxWait: ")
          .append(setup.queueTimeout().toMillis()).append("ms}\n");
    }
    if (setup.backup() != 0) {
      // A second tier, which takes traffic only while the primary tier has no available endpoint.
      sb.append("  backup:\n    endpoints:\n      - http://127.0.0.1:").append(setup.backup()).append('\n');
      sb.append("    pool: {maxConnections: 10000}\n");
      sb.append("routes:\n  - name: all\n    backends: [mock, backup]\n");
    } else {
      sb.append("routes:\n  - name: all\n    backend: mock\n");
    }
    return sb.toString();
  }
}
