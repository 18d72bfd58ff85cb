package dev.spillway.server.config;

import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.ConfigException;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.config.RouteConfig;
import dev.spillway.core.config.ServerConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Binds the root of a parsed config to a {@link GatewayConfig}: {@code server}, each backend and each route
 * in turn, carrying on after a failure so every error is reported, then the cross-checks between routes and
 * backends.
 */
final class GatewayBinder {
  static final List<String> KEYS = List.of("server", "backends", "routes");

  private static final Pattern ROUTE_PATH = Pattern.compile("routes\\[(\\d+)\\](.*)");

  private final MappingReader root;
  private final Problems problems;

  private GatewayBinder(MappingReader root) {
    this.root = root;
    this.problems = root.problems();
  }

  /** Returns the config, or {@code null} if any error was reported. */
  static GatewayConfig bind(ConfigNode tree, Problems problems, EnvSubstitution env) {
    if (!(tree instanceof ConfigNode.Mapping)) {
      problems.add("", tree.line(), "the top level is " + tree.describe() + " (expected: a map with keys "
          + String.join(", ", KEYS) + ")");
      return null;
    }
    problems.root(tree);
    return new GatewayBinder(new MappingReader((ConfigNode.Mapping) tree, "", 0, problems, env)).bind();
  }

  private GatewayConfig bind() {
    int errorsBefore = problems.count();
    root.rejectUnknownKeys(KEYS);
    if (KEYS.stream().noneMatch(root::has)) {
      problems.add("", 0, "empty config (expected: at least one of " + String.join(", ", KEYS) + ")");
      return null;
    }
    MappingReader serverReader = root.mapping("server");
    ServerConfig server = serverReader == null ? null : ServerBinder.bind(serverReader);
    Map<String, BackendConfig> backends = backends();
    List<RouteConfig> routes = new ArrayList<>();
    List<Integer> indexes = new ArrayList<>();
    int routeCount = routes(routes, indexes);
    if (backends == null) {
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
    GatewayConfig config = crossCheck(server == null ? ServerConfig.DEFAULTS : server, backends, routes, indexes);
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
      BackendConfig config = backend == null ? null : BackendBinder.bind(entry.key(), backend);
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

  /** Binds each route into {@code routes}, its index in the file into {@code indexes}; returns the count. */
  private int routes(List<RouteConfig> routes, List<Integer> indexes) {
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
      RouteConfig route = RouteBinder.bind(
          new MappingReader((ConfigNode.Mapping) item, path, item.line(), problems, root.env()));
      if (route != null) {
        routes.add(route);
        indexes.add(i);
      }
    }
    return list.items().size();
  }

  /**
   * Lets {@link GatewayConfig}'s constructor check route names and backend references, the single place
   * those rules live. It stops at the first bad route, so that route is reported under its index in the file,
   * then patched (a duplicate name made unique, an undefined backend pointed at a defined one) and the check
   * runs again. Patching rather than dropping keeps the route's other field in play, so a route with both
   * problems, or a later route repeating its name, is still reported.
   */
  private GatewayConfig crossCheck(ServerConfig server, Map<String, BackendConfig> backends,
      List<RouteConfig> routes, List<Integer> indexes) {
    int errorsBefore = problems.count();
    // Each pass patches one field of one route, so this ends; the bound guards against a constructor change.
    for (int pass = 0; pass <= 2 * routes.size(); pass++) {
      try {
        GatewayConfig config = new GatewayConfig(server, backends, routes);
        return problems.count() > errorsBefore ? null : config;
      } catch (ConfigException e) {
        Matcher m = ROUTE_PATH.matcher(e.path());
        if (!m.matches() || Integer.parseInt(m.group(1)) >= routes.size()) {
          problems.add(e);
          return null;
        }
        int position = Integer.parseInt(m.group(1));
        int index = indexes.get(position);
        problems.add(new ConfigException("routes[" + index + "]" + m.group(2), e.detail()));
        RouteConfig route = routes.get(position);
        if (m.group(2).equals(".name")) {
          routes.set(position, new RouteConfig("\0route-" + index, route.match(), route.backend()));
        } else if (m.group(2).equals(".backend")) {
          routes.set(position, new RouteConfig(route.name(), route.match(), backends.keySet().iterator().next()));
        } else {
          return null;
        }
      }
    }
    return null;
  }
}
