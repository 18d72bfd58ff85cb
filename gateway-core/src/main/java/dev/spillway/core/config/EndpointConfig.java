package dev.spillway.core.config;

/**
 * One endpoint of a backend with its balancing settings ({@code backends.<name>.endpoints[]}).
 *
 * @param address {@code http://host:port}
 * @param weight relative share of requests under {@link Balancing#WEIGHTED}
 * @param maxConcurrency most requests in flight to this endpoint (the capacity of the server behind it);
 *     an endpoint at its cap is not selectable; 0 means no cap
 */
public record EndpointConfig(EndpointAddress address, int weight, int maxConcurrency) {
  public static final int DEFAULT_WEIGHT = 1;
  public static final int MAX_WEIGHT = 1_000_000;
  /** No per-endpoint cap. */
  public static final int UNCAPPED = 0;

  public EndpointConfig {
    Checks.notNull("address", address);
    Checks.inRange("weight", weight, 1, MAX_WEIGHT);
    Checks.nonNegative("maxConcurrency", maxConcurrency);
  }

  /** Weight {@value #DEFAULT_WEIGHT}, no cap. */
  public static EndpointConfig of(EndpointAddress address) {
    return new EndpointConfig(address, DEFAULT_WEIGHT, UNCAPPED);
  }
}
