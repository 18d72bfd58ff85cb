package dev.spillway.core.config;

import java.time.Duration;

/**
 * How a route treats streamed ({@code text/event-stream}) responses (see docs/failover-and-retries.md).
 *
 * @param firstTokenTimeout how long the gateway holds a stream's response back from the client while waiting
 *     for the backend's first content event; a failure within it fails over invisibly. Past it the attempt
 *     counts as failed ({@code FIRST_TOKEN_TIMEOUT}). {@code 0}: nothing is held back, a stream is committed
 *     to the client with its response head and never fails over
 * @param idleTimeout longest silence from the backend between events; past it the stream ends with an error
 *     event
 * @param totalTimeout the longest a whole stream may take; {@code 0} disables it
 * @param heartbeatInterval after this much silence the client gets an SSE comment ({@code : keep-alive}),
 *     so idle-closing proxies in between keep the connection; {@code 0} turns heartbeats off
 */
public record StreamConfig(Duration firstTokenTimeout, Duration idleTimeout, Duration totalTimeout,
    Duration heartbeatInterval) {
  public static final Duration DEFAULT_FIRST_TOKEN_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
  public static final Duration DEFAULT_TOTAL_TIMEOUT = Duration.ofMinutes(10);
  public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ZERO;
  public static final StreamConfig DEFAULTS = new StreamConfig(DEFAULT_FIRST_TOKEN_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
      DEFAULT_TOTAL_TIMEOUT, DEFAULT_HEARTBEAT_INTERVAL);

  public StreamConfig {
    Checks.nonNegative("firstTokenTimeout", firstTokenTimeout);
    Checks.positive("idleTimeout", idleTimeout);
    Checks.nonNegative("totalTimeout", totalTimeout);
    Checks.nonNegative("heartbeatInterval", heartbeatInterval);
    if (!totalTimeout.isZero()) {
      atMostTotal("firstTokenTimeout", firstTokenTimeout, totalTimeout);
      atMostTotal("idleTimeout", idleTimeout, totalTimeout);
    }
    if (!heartbeatInterval.isZero() && heartbeatInterval.compareTo(idleTimeout) >= 0) {
      // A heartbeat only ever fires during a silence, and idleTimeout ends any silence that long.
      throw new ConfigException("heartbeatInterval", Durations.format(heartbeatInterval)
          + " (expected: 0 or < idleTimeout " + Durations.format(idleTimeout) + ")");
    }
  }

  /** Whether a stream's response is held back until its first content event. */
  public boolean holdsFirstToken() {
    return !firstTokenTimeout.isZero();
  }

  /** Whether heartbeats are on. */
  public boolean heartbeats() {
    return !heartbeatInterval.isZero();
  }

  private static void atMostTotal(String key, Duration value, Duration total) {
    if (value.compareTo(total) > 0) {
      throw new ConfigException(key, Durations.format(value) + " (expected: <= totalTimeout "
          + Durations.format(total) + ")");
    }
  }
}
