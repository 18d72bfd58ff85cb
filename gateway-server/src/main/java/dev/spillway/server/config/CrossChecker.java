package dev.spillway.server.config;

import dev.spillway.core.config.AdmissionConfig;
import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.ConfigException;
import dev.spillway.core.config.FailoverTierConfig;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.config.LimiterCacheConfig;
import dev.spillway.core.config.RouteConfig;
import dev.spillway.core.config.ServerConfig;
import dev.spillway.core.config.TenantConfig;
import dev.spillway.core.config.TierConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lets {@link GatewayConfig}'s constructor check the references between parts (route names and backends,
 * tenant names, tiers and keys, routes' default tiers), the single place those rules live. It stops at the
 * first problem, which names a position in its lists; that is mapped back to the file, key path and line the
 * value came from (a tenant may come from {@code keysFile}, a key from {@code keys} or {@code keySha256}),
 * then the value is patched and the check runs again. Patching rather than dropping keeps the other fields
 * in play, so every problem is reported in one run.
 */
final class CrossChecker {
  private static final Pattern ROUTE_PATH = Pattern.compile("routes\\[(\\d+)\\](.*)");
  private static final Pattern TIER_FIELD = Pattern.compile("\\.backends\\[(\\d+)\\]\\.backend");
  private static final Pattern TENANT_PATH = Pattern.compile("tenants\\[(\\d+)\\]\\.(name|tier|keys\\[(\\d+)\\])");

  private final ServerConfig server;
  private final Map<String, BackendConfig> backends;
  private final List<RouteConfig> routes;
  private final List<Integer> routeIndexes;
  private final Set<Integer> tierListOnly;
  private final Map<String, TierConfig> tiers;
  private final List<TenantBinder.Bound> tenants;
  private final LimiterCacheConfig limiterCache;
  private final Problems problems;

  /**
   * @param routeIndexes the position in the file of each route in {@code routes} (routes that failed to bind
   *     are missing from the list)
   * @param tierListOnly the positions in the file of the routes that name their backends only under
   *     {@code backends}, whose first tier is reported there rather than at {@code backend}
   */
  CrossChecker(ServerConfig server, Map<String, BackendConfig> backends, List<RouteConfig> routes,
      List<Integer> routeIndexes, Set<Integer> tierListOnly, Map<String, TierConfig> tiers, List<TenantBinder.Bound> tenants,
      LimiterCacheConfig limiterCache, Problems problems) {
    this.server = server;
    this.backends = backends;
    this.routes = new ArrayList<>(routes);
    this.routeIndexes = routeIndexes;
    this.tierListOnly = tierListOnly;
    this.tiers = tiers;
    this.tenants = new ArrayList<>(tenants);
    this.limiterCache = limiterCache;
    this.problems = problems;
  }

  /** Returns the config, or {@code null} if any error was reported. */
  GatewayConfig check() {
    int errorsBefore = problems.count();
    // Each pass patches one value, so this ends; the bound guards against a constructor change.
    int maxPasses = 3 * routes.size() + 2 * tenants.size() + 1;
    for (RouteConfig route : routes) {
      maxPasses += route.tiers().size();
    }
    for (TenantBinder.Bound tenant : tenants) {
      maxPasses += tenant.keyPaths().size();
    }
    for (int pass = 0; pass <= maxPasses; pass++) {
      try {
        GatewayConfig config = new GatewayConfig(server, backends, routes, tiers, tenantConfigs(), limiterCache);
        return problems.count() > errorsBefore ? null : config;
      } catch (ConfigException e) {
        if (!reportAndPatchRoute(e) && !reportAndPatchTenant(e)) {
          problems.add(e);
          return null;
        }
      }
    }
    return null;
  }

  private List<TenantConfig> tenantConfigs() {
    List<TenantConfig> configs = new ArrayList<>(tenants.size());
    for (TenantBinder.Bound tenant : tenants) {
      configs.add(tenant.config());
    }
    return configs;
  }

  private boolean reportAndPatchRoute(ConfigException e) {
    Matcher m = ROUTE_PATH.matcher(e.path());
    if (!m.matches() || Integer.parseInt(m.group(1)) >= routes.size()) {
      return false;
    }
    int position = Integer.parseInt(m.group(1));
    int index = routeIndexes.get(position);
    String field = m.group(2);
    RouteConfig route = routes.get(position);
    RouteConfig patched;
    Matcher tier = TIER_FIELD.matcher(field);
    if (field.equals(".name")) {
      patched = new RouteConfig("\0route-" + index, route.match(), route.backend(), route.admission(), route.tiers(),
          route.retry(), route.stream());
    } else if (field.equals(".backend")) {
      patched = withDefinedBackend(route, 0);
      if (tierListOnly.contains(index)) {
        field = ".backends[0].backend";
      }
    } else if (tier.matches() && Integer.parseInt(tier.group(1)) < route.tiers().size()) {
      patched = withDefinedBackend(route, Integer.parseInt(tier.group(1)));
    } else if (field.equals(".admission.defaultTier")) {
      patched = new RouteConfig(route.name(), route.match(), route.backend(), withAnyTier(route.admission()),
          route.tiers(), route.retry(), route.stream());
    } else {
      return false;
    }
    problems.add(new ConfigException("routes[" + index + "]" + field, e.detail()));
    routes.set(position, patched);
    return true;
  }

  /** The route with tier {@code j} sent to a defined backend instead, keeping its model rewrite. */
  private RouteConfig withDefinedBackend(RouteConfig route, int j) {
    List<FailoverTierConfig> tiers = new ArrayList<>(route.tiers());
    tiers.set(j, new FailoverTierConfig(backends.keySet().iterator().next(), tiers.get(j).model(),
        tiers.get(j).overflow()));
    return route.withTiers(tiers);
  }

  private AdmissionConfig withAnyTier(AdmissionConfig a) {
    if (tiers.isEmpty()) {
      return null;
    }
    return new AdmissionConfig(a.identity(), a.requireKnownKey(), tiers.keySet().iterator().next(), a.limits(),
        a.tokens(), a.rejection());
  }

  private boolean reportAndPatchTenant(ConfigException e) {
    Matcher m = TENANT_PATH.matcher(e.path());
    if (!m.matches() || Integer.parseInt(m.group(1)) >= tenants.size()) {
      return false;
    }
    int position = Integer.parseInt(m.group(1));
    TenantBinder.Bound tenant = tenants.get(position);
    String path;
    if (m.group(2).equals("name")) {
      path = tenant.path() + ".name";
      tenants.set(position, tenant.withName("\0tenant-" + position));
    } else if (m.group(2).equals("tier")) {
      path = tenant.path() + ".tier";
      if (tiers.isEmpty()) {
        tenants.remove(position);
      } else {
        tenants.set(position, tenant.withTier(tiers.keySet().iterator().next()));
      }
    } else {
      int k = Integer.parseInt(m.group(3));
      if (k >= tenant.keyPaths().size()) {
        return false;
      }
      path = tenant.keyPaths().get(k);
      tenants.set(position, tenant.withoutKey(k));
    }
    // Not add(ConfigException): a tenant from keysFile is reported in that file, at its line there.
    tenant.problems().add(path, tenant.problems().lineOf(path), e.detail());
    return true;
  }
}
