package dev.spillway.server.config;

import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.config.LimiterCacheConfig;
import dev.spillway.core.config.LimiterStoreConfig;
import dev.spillway.core.config.LimiterStoreType;
import dev.spillway.core.config.RouteConfig;
import dev.spillway.core.config.ServerConfig;
import dev.spillway.core.config.TierConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Binds the root of a parsed config to a {@link GatewayConfig}: {@code server}, each backend, tier, tenant
 * (including those of {@code keysFile}) and route in turn, carrying on after a failure so every error is
 * reported, then the cross-checks between them ({@link CrossChecker}).
 */
final class GatewayBinder {
  static final List<String> KEYS = List.of("server", "backends", "routes", "tiers", "tenants", "keysFile",
      "limiterCache", "limiterStore", "admin", "status", "alerts", "accessLog");
  static final List<String> LIMITER_CACHE_KEYS = List.of("maxTenants", "idleExpiry");
  /** What a minimal config needs; named when the file has none of the keys. */
  private static final List<String> ESSENTIAL_KEYS = List.of("server", "backends", "routes");

  private final MappingReader root;
  private final Problems problems;
  private final Path baseDir;

  private GatewayBinder(MappingReader root, Path baseDir) {
    this.root = root;
    this.problems = root.problems();
    this.baseDir = baseDir;
  }

  /** Returns the config, or {@code null} if any error was reported. */
  /** @param baseDir the directory a relative {@code keysFile} is resolved against */
  static GatewayConfig bind(ConfigNode tree, Problems problems, EnvSubstitution env, Path baseDir) {
    if (!(tree instanceof ConfigNode.Mapping)) {
      problems.add("", tree.line(), "the top level is " + tree.describe() + " (expected: a map with keys "
          + String.join(", ", KEYS) + ")");
      return null;
    }
    problems.root(tree);
    return new GatewayBinder(rootReader(tree, problems, env), baseDir).bind();
  }

  /** The reader of a mapping root, for the server-side sections bound next to the gateway's. */
  static MappingReader rootReader(ConfigNode tree, Problems problems, EnvSubstitution env) {
    return new MappingReader((ConfigNode.Mapping) tree, "", 0, problems, env);
  }

  private GatewayConfig bind() {
    int errorsBefore = problems.count();
    root.rejectUnknownKeys(KEYS);
    if (KEYS.stream().noneMatch(root::has)) {
      problems.add("", 0, "empty config (expected: at least one of " + String.join(", ", ESSENTIAL_KEYS) + ")");
      return null;
    }
    MappingReader serverReader = root.mapping("server");
    ServerConfig server = serverReader == null ? null : ServerBinder.bind(serverReader, baseDir);
    Map<String, BackendConfig> backends = backends();
    Map<String, TierConfig> tiers = TierBinder.bindAll(root);
    List<TenantBinder.Bound> tenants = tenants();
    LimiterCacheConfig limiterCache = limiterCache(root.mapping("limiterCache"));
    MappingReader storeReader = root.mapping("limiterStore");
    LimiterStoreConfig limiterStore = storeReader == null ? null : LimiterStoreBinder.bind(storeReader);
    List<RouteConfig> routes = new ArrayList<>();
    List<Integer> indexes = new ArrayList<>();
    Set<Integer> tierListOnly = new HashSet<>();
    int routeCount = routes(routes, indexes, tierListOnly);
    if (backends == null || tiers == null || limiterCache == null || limiterStore == null) {
      return null;
    }
    if (backends.isEmpty() && routeCount > 0) {
      problems.add("backends", problems.lineOf("backends"), "none defined (expected: at least one backend)");
      return null;
    }
    // With every route broken the constructor would add a misleading "at least one route" on top.
    if (routeCount > 0 && routes.isEmpty()) {
      return null;
    }
    GatewayConfig config = new CrossChecker(server == null ? ServerConfig.DEFAULTS : server, backends, routes,
        indexes, tierListOnly, tiers, tenants, limiterCache, problems).check();
    if (config != null && limiterStore.type() != LimiterStoreType.LOCAL) {
      config = new GatewayConfig(config.server(), config.backends(), config.routes(), config.tiers(),
          config.tenants(), config.limiterCache(), limiterStore);
    }
    return problems.count() > errorsBefore ? null : config;
  }

  /**
   * Backends that bound, plus stand-ins for those that did not (reported already); {@code null} if
   * {@code backends} is not a map.
   */
  private Map<String, BackendConfig> backends() {
    MappingReader backends = root.mapping("backends");
    if (backends == null) {
      return null;
    }
    Map<String, BackendConfig> result = new LinkedHashMap<>();
    for (ConfigNode.Entry entry : backends.node().entries().values()) {
      MappingReader backend = backends.mapping(entry.key());
      BackendConfig config = backend == null ? null : BackendBinder.bind(entry.key(), backend, baseDir);
      if (config == null && !entry.key().isBlank()) {
        // A stand-in keeps routes that name this backend from also being reported as undefined.
        config = BackendConfig.of(entry.key(), BackendBinder.STAND_IN_ENDPOINTS);
      }
      if (config != null) {
        result.put(entry.key(), config);
      }
    }
    return result;
  }

  /** The tenants of {@code tenants}, then those of {@code keysFile}; those with errors are left out. */
  private List<TenantBinder.Bound> tenants() {
    List<TenantBinder.Bound> tenants = new ArrayList<>();
    ConfigNode.Sequence list = root.sequence("tenants");
    if (list != null) {
      TenantBinder.bindAll(list, "tenants", problems, root.env(), tenants);
    }
    KeysFileReader.read(root, baseDir, tenants);
    return tenants;
  }

  private static LimiterCacheConfig limiterCache(MappingReader cache) {
    if (cache == null) {
      return null;
    }
    int errorsBefore = cache.problems().count();
    cache.rejectUnknownKeys(LIMITER_CACHE_KEYS);
    long maxTenants = cache.longInteger("maxTenants", LimiterCacheConfig.DEFAULT_MAX_TENANTS);
    Duration idleExpiry = cache.duration("idleExpiry", LimiterCacheConfig.DEFAULT_IDLE_EXPIRY);
    LimiterCacheConfig config = cache.construct(() -> new LimiterCacheConfig(maxTenants, idleExpiry));
    return cache.problems().count() > errorsBefore ? null : config;
  }

  /**
   * Binds each route into {@code routes}, its index in the file into {@code indexes}, and the indexes of routes
   * that name their backends only under {@code backends} into {@code tierListOnly}; returns the count.
   */
  private int routes(List<RouteConfig> routes, List<Integer> indexes, Set<Integer> tierListOnly) {
    ConfigNode.Sequence list = root.sequence("routes");
    if (list == null) {
      return 0;
    }
    for (int i = 0; i < list.items().size(); i++) {
      ConfigNode item = list.items().get(i);
      String path = "routes[" + i + "]";
      if (!(item instanceof ConfigNode.Mapping)) {
        problems.add(path, item.line(), item.describe() + " is not a map (expected: name, match, backend)");
        continue;
      }
      MappingReader reader = new MappingReader((ConfigNode.Mapping) item, path, item.line(), problems, root.env());
      RouteConfig route = RouteBinder.bind(reader);
      if (RouteBinder.usesTierListOnly(reader)) {
        tierListOnly.add(i);
      }
      if (route != null) {
        routes.add(route);
        indexes.add(i);
      }
    }
    return list.items().size();
  }
}
