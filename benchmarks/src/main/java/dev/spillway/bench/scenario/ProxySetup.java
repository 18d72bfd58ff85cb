package dev.spillway.bench.scenario;

import java.time.Duration;
import java.util.List;

/**
 * What a proxy is configured with, the same for all three so they are measured alike: the primary
 * endpoints (mock backend ports), an optional backup endpoint (0: none), and an optional concurrency limit
 * with a bounded queue in front of it (limit 0: none). Each proxy maps it to its own keys: Spillway's
 * {@code concurrency} and {@code waitingRoom}, nginx's {@code limit_conn} (it has no queue), HAProxy's
 * per-server {@code maxconn}, {@code maxqueue} and {@code timeout queue}.
 */
public record ProxySetup(List<Integer> endpoints, int backup, int concurrency, int queue, Duration queueTimeout,
    boolean healthChecks) {

  /** Round-robin over {@code endpoints}, nothing else. */
  public static ProxySetup plain(List<Integer> endpoints) {
    return new ProxySetup(List.copyOf(endpoints), 0, 0, 0, Duration.ofSeconds(10), false);
  }

  /** One endpoint behind a concurrency limit and a queue of {@code queue} waiting at most {@code wait}. */
  public static ProxySetup limited(int endpoint, int concurrency, int queue, Duration wait) {
    return new ProxySetup(List.of(endpoint), 0, concurrency, queue, wait, false);
  }

  /** Primary endpoints with a backup, and each proxy's usual failure detection switched on. */
  public static ProxySetup withBackup(List<Integer> endpoints, int backup) {
    return new ProxySetup(List.copyOf(endpoints), backup, 0, 0, Duration.ofSeconds(10), true);
  }
}
