package dev.spillway.core.config;

import java.time.Duration;

/**
 * The keep-alive connection pool to each endpoint of a backend. Connections are pooled per event loop, so a
 * request always uses a connection owned by its own thread.
 *
 * @param maxConnections most connections to one endpoint from one event loop, busy and idle together;
 *     a request that finds all of them busy gets 503 at once (Envoy's overflow behaviour) rather than
 *     queueing invisibly
 * @param idleTimeout an idle pooled connection is closed after this long
 */
public record PoolConfig(int maxConnections, Duration idleTimeout) {
  public static final int DEFAULT_MAX_CONNECTIONS = 1024;
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
  public static final PoolConfig DEFAULTS = new PoolConfig(DEFAULT_MAX_CONNECTIONS, DEFAULT_IDLE_TIMEOUT);

  public PoolConfig {
    Checks.positive("maxConnections", maxConnections);
    Checks.positive("idleTimeout", idleTimeout);
  }
}
