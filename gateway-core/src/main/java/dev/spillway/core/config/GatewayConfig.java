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
 * @param tiers service tiers by name
 * @param tenants known tenants and their key hashes
 * @param limiterCache where per-tenant buckets live
 * @param limiterStore whether buckets are this instance's own or shared on Redis
 */
public record GatewayConfig(ServerConfig server, Map<String, BackendConfig> backends, List<RouteConfig> routes,
    Map<String, TierConfig> tiers, List<TenantConfig> tenants, LimiterCacheConfig limiterCache,
    LimiterStoreConfig limiterStore) {

  /** A configuration whose buckets live in this process. */
  public GatewayConfig(ServerConfig server, Map<String, BackendConfig> backends, List<RouteConfig> routes,
      Map<String, TierConfig> tiers, List<TenantConfig> tenants, LimiterCacheConfig limiterCache) {
    this(server, backends, routes, tiers, tenants, limiterCache, LimiterStoreConfig.LOCAL);
  }

  /** A configuration without tiers or tenants. */
  public GatewayConfig(ServerConfig server, Map<String, BackendConfig> backends, List<RouteConfig> routes) {
    this(server, backends, routes, Map.of(), List.of(), LimiterCacheConfig.DEFAULTS);
  }

  public GatewayConfig {
    Checks.notNull("server", server);
    Checks.notNull("backends", backends);
    Checks.notNull("routes", routes);
    Checks.notNull("tiers", tiers);
    Checks.notNull("tenants", tenants);
    Checks.notNull("limiterCache", limiterCache);
    Checks.notNull("limiterStore", limiterStore);
    backends = Collections.unmodifiableMap(new LinkedHashMap<>(backends));
    routes = List.copyOf(routes);
    tiers = Collections.unmodifiableMap(new LinkedHashMap<>(tiers));
    tenants = List.copyOf(tenants);
    checkTiersAndTenants(tiers, tenants, routes);
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
      // The first tier is the route's backend, checked above under the key most routes write.
      for (int j = 1; j < route.tiers().size(); j++) {
        String tierBackend = route.tiers().get(j).backend();
        if (!backends.containsKey(tierBackend)) {
          throw new ConfigException("routes[" + i + "].backends[" + j + "].backend", "\"" + tierBackend
              + "\" is not a defined backend (defined: " + String.join(", ", backends.keySet()) + ")");
        }
      }
    }
  }

  private static void checkTiersAndTenants(Map<String, TierConfig> tiers, List<TenantConfig> tenants,
      List<RouteConfig> routes) {
    for (Map.Entry<String, TierConfig> e : tiers.entrySet()) {
      if (!e.getKey().equals(e.getValue().name())) {
        throw new ConfigException("tiers." + e.getKey() + ".name",
            "\"" + e.getValue().name() + "\" (expected: the key it is stored under, \"" + e.getKey() + "\")");
      }
    }
    Set<String> tenantNames = new HashSet<>();
    Map<String, String> keyOwners = new java.util.HashMap<>();
    for (int i = 0; i < tenants.size(); i++) {
      TenantConfig tenant = tenants.get(i);
      if (!tenantNames.add(tenant.name())) {
        throw new ConfigException("tenants[" + i + "].name", "\"" + tenant.name() + "\" is used by an earlier tenant");
      }
      if (!tiers.containsKey(tenant.tier())) {
        throw new ConfigException("tenants[" + i + "].tier", "\"" + tenant.tier() + "\" is not a defined tier"
            + definedTiers(tiers));
      }
      for (int k = 0; k < tenant.keyHashes().size(); k++) {
        String owner = keyOwners.putIfAbsent(tenant.keyHashes().get(k), tenant.name());
        if (owner != null) {
          throw new ConfigException("tenants[" + i + "].keys[" + k + "]", "this key already belongs to tenant \""
              + owner + "\"");
        }
      }
    }
    for (int i = 0; i < routes.size(); i++) {
      AdmissionConfig admission = routes.get(i).admission();
      if (admission != null && !tiers.containsKey(admission.defaultTier())) {
        throw new ConfigException("routes[" + i + "].admission.defaultTier", "\"" + admission.defaultTier()
            + "\" is not a defined tier" + definedTiers(tiers));
      }
    }
  }

  private static String definedTiers(Map<String, TierConfig> tiers) {
    return tiers.isEmpty() ? " (no tiers are defined)" : " (defined: " + String.join(", ", tiers.keySet()) + ")";
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
