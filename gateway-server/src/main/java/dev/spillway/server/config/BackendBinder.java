package dev.spillway.server.config;

import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.BackendTlsConfig;
import dev.spillway.core.config.ProviderConfig;
import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.EndpointAddress;
import dev.spillway.core.config.EndpointConfig;
import dev.spillway.core.config.PoolConfig;
import dev.spillway.core.config.ResilienceConfig;
import dev.spillway.core.config.WaitingRoomConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Binds one entry of {@code backends} to a {@link BackendConfig}; the entry's key becomes the backend's name.
 * {@code endpoints} is required, everything else has a default. An endpoint is a URL or a map with
 * {@code url}, {@code weight} and {@code maxConcurrency}. {@code concurrency} and {@code waitingRoom} are bound
 * by {@link ConcurrencyBinder}, the balancing and resilience keys by {@link ResilienceBinder}.
 */
final class BackendBinder {
  static final List<String> KEYS = List.of("endpoints", "connectTimeout", "responseTimeout", "idleTimeout",
      "requestTimeout", "pool", "concurrency", "waitingRoom", "balancing", "breaker", "healthCheck", "outlier",
      "maxEjectedPercent", "maxCooldown", "tls", "requestHeaders", "removeClientKey", "pathPrefix", "path");
  static final List<String> ENDPOINT_KEYS = List.of("url", "weight", "maxConcurrency");
  static final List<String> POOL_KEYS = List.of("maxConnections", "idleTimeout");
  /** Endpoints for a backend whose real ones failed; never part of a config that loads. */
  static final List<EndpointAddress> STAND_IN_ENDPOINTS = List.of(new EndpointAddress("stand-in.invalid", 80));

  private BackendBinder() {}

  /** Returns the bound config, or {@code null} if any error was reported. */
  static BackendConfig bind(String name, MappingReader backend) {
    return bind(name, backend, null);
  }

  /** As above; relative TLS file paths are resolved against {@code baseDir} ({@code null}: the working dir). */
  static BackendConfig bind(String name, MappingReader backend, java.nio.file.Path baseDir) {
    int errorsBefore = backend.problems().count();
    backend.rejectUnknownKeys(KEYS);
    List<EndpointConfig> endpoints = endpoints(backend);
    Duration connectTimeout = backend.duration("connectTimeout", BackendConfig.DEFAULT_CONNECT_TIMEOUT);
    Duration responseTimeout = backend.duration("responseTimeout", BackendConfig.DEFAULT_RESPONSE_TIMEOUT);
    Duration idleTimeout = backend.duration("idleTimeout", BackendConfig.DEFAULT_IDLE_TIMEOUT);
    Duration requestTimeout = backend.duration("requestTimeout", BackendConfig.DEFAULT_REQUEST_TIMEOUT);
    MappingReader poolReader = backend.mapping("pool");
    PoolConfig pool = poolReader == null ? null : pool(poolReader);
    ConcurrencyConfig concurrency = ConcurrencyBinder.concurrency(backend);
    WaitingRoomConfig waitingRoom = ConcurrencyBinder.waitingRoom(backend);
    ResilienceConfig resilience = ResilienceBinder.bind(backend);
    BackendTlsConfig tls = TlsBinder.backend(backend, baseDir);
    ProviderConfig provider = ProviderBinder.bind(backend);
    // Parts that failed (already reported) get valid stand-ins, so the constructor still checks the rest.
    List<EndpointConfig> checkedEndpoints = endpoints == null
        ? List.of(EndpointConfig.of(STAND_IN_ENDPOINTS.get(0))) : endpoints;
    PoolConfig checkedPool = pool == null ? PoolConfig.DEFAULTS : pool;
    WaitingRoomConfig checkedWaitingRoom = waitingRoom == null ? WaitingRoomConfig.DEFAULTS : waitingRoom;
    BackendConfig config = backend.construct(() -> new BackendConfig(name, checkedEndpoints, connectTimeout,
        responseTimeout, idleTimeout, requestTimeout, checkedPool, concurrency, checkedWaitingRoom,
        resilience == null ? ResilienceConfig.DEFAULTS : resilience,
        tls == null ? BackendTlsConfig.DEFAULTS : tls, provider == null ? ProviderConfig.NONE : provider));
    if (config == null || backend.problems().count() > errorsBefore) {
      return null;
    }
    return TlsBinder.checkBackendFiles(backend, config) ? config : null;
  }

  private static List<EndpointConfig> endpoints(MappingReader backend) {
    if (!backend.has("endpoints")) {
      backend.missing("endpoints", "a list of http://host:port");
      return null;
    }
    ConfigNode.Sequence list = backend.sequence("endpoints");
    if (list == null) {
      return null;
    }
    List<EndpointConfig> endpoints = new ArrayList<>(list.items().size());
    boolean failed = false;
    for (int i = 0; i < list.items().size(); i++) {
      ConfigNode item = list.items().get(i);
      String path = backend.childPath("endpoints") + "[" + i + "]";
      EndpointConfig endpoint = item instanceof ConfigNode.Mapping
          ? endpoint(new MappingReader((ConfigNode.Mapping) item, path, item.line(), backend.problems(),
              backend.env()))
          : backend.scalar(item, path, item.line(), "an endpoint (http://host:port, or a map with url, weight, "
              + "maxConcurrency)", text -> EndpointConfig.of(EndpointAddress.parse(text)));
      failed |= endpoint == null;
      endpoints.add(endpoint);
    }
    return failed ? null : endpoints;
  }

  /** The map form, {@code {url: http://host:port, weight: 3, maxConcurrency: 16}}. */
  private static EndpointConfig endpoint(MappingReader endpoint) {
    int errorsBefore = endpoint.problems().count();
    endpoint.rejectUnknownKeys(ENDPOINT_KEYS);
    EndpointAddress address = null;
    ConfigNode.Entry url = endpoint.node().get("url");
    if (!endpoint.has("url")) {
      endpoint.missing("url", "http://host:port");
    } else {
      address = endpoint.scalar(url.value(), endpoint.childPath("url"), url.keyLine(), "a URL",
          EndpointAddress::parse);
    }
    int weight = endpoint.integer("weight", EndpointConfig.DEFAULT_WEIGHT);
    int maxConcurrency = endpoint.integer("maxConcurrency", EndpointConfig.UNCAPPED);
    EndpointAddress checkedAddress = address == null ? STAND_IN_ENDPOINTS.get(0) : address;
    EndpointConfig config = endpoint.construct(() -> new EndpointConfig(checkedAddress, weight, maxConcurrency));
    return endpoint.problems().count() > errorsBefore ? null : config;
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
