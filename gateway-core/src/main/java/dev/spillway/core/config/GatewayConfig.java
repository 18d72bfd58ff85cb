package dev.spillway.core.config;

import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The whole configuration of a gateway: one immutable, validated snapshot. A running gateway reads it
 * through a single reference, so a reload can swap it in one step.
 *
 * @param server the client-facing listener
 * @param backends backends by name, in file order
 * @param routes routes in match order
 */
public record GatewayConfig(ServerConfig server, Map<String, BackendConfig> backends, List<RouteConfig> routes) {

  public GatewayConfig {
    Checks.notNull("server", server);
    Checks.notNull("backends", backends);
    Checks.notNull("routes", routes);
    backends = Collections.unmodifiableMap(new LinkedHashMap<>(backends));
    routes = List.copyOf(routes);
    for (Map.Entry<String, BackendConfig> e : backends.entrySet()) {
      if (!e.getKey().equals(e.getValue().name())) {
        throw new ConfigException("backends." + e.getKey() + ".name",
            "\"" + e.getValue().name() + "\" (expected: the key it is stored under, \"" + e.getKey() + "\")");
      }
    }
    if (routes.isEmpty()) {
      throw new ConfigException("routes", "[] (expected: at least one route)");
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < routes.size(); i++) {
      RouteConfig route = routes.get(i);
      if (!names.add(route.name())) {
        throw new ConfigException("routes[" + i + "].name", "\"" + route.name() + "\" is used by an earlier route");
      }
      if (!backends.containsKey(route.backend())) {
        throw new ConfigException("routes[" + i + "].backend",
            "\"" + route.backend() + "\" is not a defined backend (defined: " + String.join(", ", backends.keySet())
                + ")");
      }
    }
  }

  /**
   * The configuration used when none is given: listen on 8080 and send everything to one backend at
   * {@code http://127.0.0.1:8000}, the usual port of a local OpenAI-compatible server (vLLM, llama.cpp).
   */
  public static GatewayConfig defaults() {
    BackendConfig backend = BackendConfig.of("default", List.of(new EndpointAddress("127.0.0.1", 8000)));
    return new GatewayConfig(ServerConfig.DEFAULTS, Map.of("default", backend),
        List.of(new RouteConfig("default", new RouteMatch(null, "/"), "default")));
  }
}
