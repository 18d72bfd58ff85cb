package dev.spillway.core.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A named group of interchangeable endpoints, for example one model served by several GPU servers.
 *
 * @param name the key under {@code backends}
 * @param endpointConfigs at least one endpoint with its weight and concurrency cap; {@link #endpoints()} lists
 *     their addresses in the same order
 * @param connectTimeout how long a TCP connect may take; past it the client gets 504
 * @param responseTimeout from the request being fully sent to the response head arriving; past it 504
 * @param idleTimeout longest silence from the backend while a request or response is in progress (between
 *     body chunks or SSE events); past it 504, or the stream is ended with an error event
 * @param requestTimeout the longest a whole exchange may take, streams included; 0 disables it
 * @param pool connection pool settings
 * @param concurrency in-flight limit through this gateway, or {@code null} for none
 * @param waitingRoom the queue in front of the concurrency limit
 * @param resilience balancing, breakers, health checks and outlier ejection over the endpoints
 * @param tls how {@code https://} endpoints are verified and what client certificate they get
 * @param provider headers and path adapted for a hosted provider ({@link ProviderConfig#NONE}: unchanged)
 */
public record BackendConfig(
    String name,
    List<EndpointConfig> endpointConfigs,
    Duration connectTimeout,
    Duration responseTimeout,
    Duration idleTimeout,
    Duration requestTimeout,
    PoolConfig pool,
    ConcurrencyConfig concurrency,
    WaitingRoomConfig waitingRoom,
    ResilienceConfig resilience,
    BackendTlsConfig tls,
    ProviderConfig provider) {

  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
  public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(60);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofMinutes(10);

  public BackendConfig {
    Checks.notBlank("name", name);
    endpointConfigs = List.copyOf(nonEmpty(endpointConfigs));
    Checks.positive("connectTimeout", connectTimeout);
    Checks.positive("responseTimeout", responseTimeout);
    Checks.positive("idleTimeout", idleTimeout);
    Checks.nonNegative("requestTimeout", requestTimeout);
    Checks.notNull("pool", pool);
    Checks.notNull("waitingRoom", waitingRoom);
    Checks.notNull("resilience", resilience);
    Checks.notNull("tls", tls);
    Checks.notNull("provider", provider);
  }

  /** A backend reached over plain HTTP or default-verified TLS, without provider adaptation. */
  public BackendConfig(String name, List<EndpointConfig> endpointConfigs, Duration connectTimeout,
      Duration responseTimeout, Duration idleTimeout, Duration requestTimeout, PoolConfig pool,
      ConcurrencyConfig concurrency, WaitingRoomConfig waitingRoom, ResilienceConfig resilience) {
    this(name, endpointConfigs, connectTimeout, responseTimeout, idleTimeout, requestTimeout, pool, concurrency,
        waitingRoom, resilience, BackendTlsConfig.DEFAULTS, ProviderConfig.NONE);
  }

  /** A backend whose endpoints have weight 1 and no cap, with default resilience settings. */
  public BackendConfig(String name, List<EndpointAddress> endpoints, Duration connectTimeout,
      Duration responseTimeout, Duration idleTimeout, Duration requestTimeout, PoolConfig pool,
      ConcurrencyConfig concurrency, WaitingRoomConfig waitingRoom) {
    this(name, plain(endpoints), connectTimeout, responseTimeout, idleTimeout, requestTimeout, pool, concurrency,
        waitingRoom, ResilienceConfig.DEFAULTS);
  }

  /** A backend without a concurrency limit. */
  public BackendConfig(String name, List<EndpointAddress> endpoints, Duration connectTimeout,
      Duration responseTimeout, Duration idleTimeout, Duration requestTimeout, PoolConfig pool) {
    this(name, endpoints, connectTimeout, responseTimeout, idleTimeout, requestTimeout, pool, null,
        WaitingRoomConfig.DEFAULTS);
  }

  /** A backend with every setting at its default. */
  public static BackendConfig of(String name, List<EndpointAddress> endpoints) {
    return new BackendConfig(name, endpoints, DEFAULT_CONNECT_TIMEOUT, DEFAULT_RESPONSE_TIMEOUT,
        DEFAULT_IDLE_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, PoolConfig.DEFAULTS);
  }

  /**
   * The endpoints' addresses, in the order of {@link #endpointConfigs()}. Derived on each call, so it can never
   * disagree with the endpoint settings; callers read it once, when they build the backend.
   */
  public List<EndpointAddress> endpoints() {
    List<EndpointAddress> addresses = new ArrayList<>(endpointConfigs.size());
    for (EndpointConfig endpoint : endpointConfigs) {
      addresses.add(endpoint.address());
    }
    return List.copyOf(addresses);
  }

  public BackendConfig withConcurrency(ConcurrencyConfig newConcurrency, WaitingRoomConfig newWaitingRoom) {
    return new BackendConfig(name, endpointConfigs, connectTimeout, responseTimeout, idleTimeout, requestTimeout,
        pool, newConcurrency, newWaitingRoom, resilience, tls, provider);
  }

  public BackendConfig withResilience(ResilienceConfig newResilience) {
    return new BackendConfig(name, endpointConfigs, connectTimeout, responseTimeout, idleTimeout, requestTimeout,
        pool, concurrency, waitingRoom, newResilience, tls, provider);
  }

  public BackendConfig withEndpointConfigs(List<EndpointConfig> newEndpointConfigs) {
    return new BackendConfig(name, newEndpointConfigs, connectTimeout, responseTimeout, idleTimeout,
        requestTimeout, pool, concurrency, waitingRoom, resilience, tls, provider);
  }

  public BackendConfig withTls(BackendTlsConfig newTls) {
    return new BackendConfig(name, endpointConfigs, connectTimeout, responseTimeout, idleTimeout,
        requestTimeout, pool, concurrency, waitingRoom, resilience, newTls, provider);
  }

  public BackendConfig withProvider(ProviderConfig newProvider) {
    return new BackendConfig(name, endpointConfigs, connectTimeout, responseTimeout, idleTimeout,
        requestTimeout, pool, concurrency, waitingRoom, resilience, tls, newProvider);
  }

  /** Whether any endpoint is reached over TLS. */
  public boolean usesTls() {
    return endpointConfigs.stream().anyMatch(e -> e.address().secure());
  }

  private static <T> List<T> nonEmpty(List<T> endpoints) {
    Checks.notNull("endpoints", endpoints);
    if (endpoints.isEmpty()) {
      throw new ConfigException("endpoints", "[] (expected: at least one http://host:port)");
    }
    return endpoints;
  }

  private static List<EndpointConfig> plain(List<EndpointAddress> endpoints) {
    List<EndpointConfig> configs = new ArrayList<>(nonEmpty(endpoints).size());
    for (EndpointAddress address : endpoints) {
      configs.add(EndpointConfig.of(address));
    }
    return configs;
  }
}
