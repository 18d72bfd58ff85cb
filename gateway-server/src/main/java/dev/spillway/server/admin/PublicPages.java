package dev.spillway.server.admin;

import dev.spillway.core.routing.Route;
import dev.spillway.core.routing.Router;
import dev.spillway.server.config.PublicPageConfig;
import dev.spillway.server.statuspage.PublicStatusPage;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Builds the public status page from the config and what the router knows of routes and their backends. */
final class PublicPages {
  private PublicPages() {}

  static PublicStatusPage create(PublicPageConfig config, Router router) {
    return new PublicStatusPage(config, routeNames(router), routesOfBackend(router));
  }

  /** Points {@code page} at {@code router}'s routes and backends (after a reload). */
  static void follow(PublicStatusPage page, Router router) {
    page.follow(routeNames(router), routesOfBackend(router));
  }

  private static Map<String, Set<String>> routesOfBackend(Router router) {
    Map<String, Set<String>> routesOfBackend = new LinkedHashMap<>();
    for (Route route : router.routes()) {
      for (Route.Tier tier : route.tiers()) {
        if (tier.backend() != null) {
          routesOfBackend.computeIfAbsent(tier.backend().name(), b -> new LinkedHashSet<>()).add(route.name());
        }
      }
    }
    return routesOfBackend;
  }

  static List<String> routeNames(Router router) {
    return router.routes().stream().map(Route::name).toList();
  }
}
