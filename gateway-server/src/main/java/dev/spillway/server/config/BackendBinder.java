package dev.spillway.server.config;

import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.EndpointAddress;
import dev.spillway.core.config.PoolConfig;
import dev.spillway.core.config.WaitingRoomConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Binds one entry of {@code backends} to a {@link BackendConfig}; the entry's key becomes the backend's name.
 * {@code endpoints} is required, everything else has a default; {@code concurrency} and {@code waitingRoom}
 * are bound by {@link ConcurrencyBinder}.
 */
final class BackendBinder {
  static final List<String> KEYS = List.of("endpoints", "connectTimeout", "responseTimeout", "idleTimeout",
      "requestTimeout", "pool", "concurrency", "waitingRoom");
  static final List<String> POOL_KEYS = List.of("maxConnections", "idleTimeout");
  /** Endpoints for a backend whose real ones failed; never part of a config that loads. */
  static final List<EndpointAddress> STAND_IN_ENDPOINTS = List.of(new EndpointAddress("stand-in.invalid", 80));

  private BackendBinder() {}

  /** Returns the bound config, or {@code null} if any error was reported. */
  static BackendConfig bind(String name, MappingReader backend) {
    int errorsBefore = backend.problems().count();
    backend.rejectUnknownKeys(KEYS);
    List<EndpointAddress> endpoints = endpoints(backend);
    Duration connectTimeout = backend.duration("connectTimeout", BackendConfig.DEFAULT_CONNECT_TIMEOUT);
    Duration responseTimeout = backend.duration("responseTimeout", BackendConfig.DEFAULT_RESPONSE_TIMEOUT);
    Duration idleTimeout = backend.duration("idleTimeout", BackendConfig.DEFAULT_IDLE_TIMEOUT);
    Duration requestTimeout = backend.duration("requestTimeout", BackendConfig.DEFAULT_REQUEST_TIMEOUT);
    MappingReader poolReader = backend.mapping("pool");
    PoolConfig pool = poolReader == null ? null : pool(poolReader);
    ConcurrencyConfig concurrency = ConcurrencyBinder.concurrency(backend);
    WaitingRoomConfig waitingRoom = ConcurrencyBinder.waitingRoom(backend);
    // Parts that failed (already reported) get valid stand-ins, so the constructor still checks the rest.
    List<EndpointAddress> checkedEndpoints = endpoints == null ? STAND_IN_ENDPOINTS : endpoints;
    PoolConfig checkedPool = pool == null ? PoolConfig.DEFAULTS : pool;
    WaitingRoomConfig checkedWaitingRoom = waitingRoom == null ? WaitingRoomConfig.DEFAULTS : waitingRoom;
    BackendConfig config = backend.construct(() -> new BackendConfig(name, checkedEndpoints, connectTimeout,
        responseTimeout, idleTimeout, requestTimeout, checkedPool, concurrency, checkedWaitingRoom));
    return backend.problems().count() > errorsBefore ? null : config;
  }

  private static List<EndpointAddress> endpoints(MappingReader backend) {
    if (!backend.has("endpoints")) {
      backend.missing("endpoints", "a list of http://host:port");
      return null;
    }
    ConfigNode.Sequence list = backend.sequence("endpoints");
    if (list == null) {
      return null;
    }
    List<EndpointAddress> endpoints = new ArrayList<>(list.items().size());
    boolean failed = false;
    for (int i = 0; i < list.items().size(); i++) {
      ConfigNode item = list.items().get(i);
      EndpointAddress endpoint = backend.scalar(item, backend.childPath("endpoints") + "[" + i + "]",
          item.line(), "an endpoint (http://host:port)", EndpointAddress::parse);
      failed |= endpoint == null;
      endpoints.add(endpoint);
    }
    return failed ? null : endpoints;
  }

  private static PoolConfig pool(MappingReader pool) {
    int errorsBefore = pool.problems().count();
    pool.rejectUnknownKeys(POOL_KEYS);
    int maxConnections = pool.integer("maxConnections", PoolConfig.DEFAULT_MAX_CONNECTIONS);
    Duration idleTimeout = pool.duration("idleTimeout", PoolConfig.DEFAULT_IDLE_TIMEOUT);
    PoolConfig config = pool.construct(() -> new PoolConfig(maxConnections, idleTimeout));
    return pool.problems().count() > errorsBefore ? null : config;
  }
}
