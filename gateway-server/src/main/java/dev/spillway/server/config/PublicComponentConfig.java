package dev.spillway.server.config;

import dev.spillway.core.config.Checks;
import dev.spillway.core.config.ConfigException;
import java.util.List;

/**
 * One component of the public status page: a name users understand and the routes that serve it. Its state is
 * the worst of its routes' (several routes, not all down: a partial outage).
 *
 * @param name shown to users ("Chat API")
 * @param description one line under the name, or {@code null}
 * @param routes the route names behind it, at least one
 */
public record PublicComponentConfig(String name, String description, List<String> routes) {
  public PublicComponentConfig {
    Checks.notBlank("name", name);
    if (name.length() > 100) {
      throw new ConfigException("name", name.length() + " characters (expected: at most 100)");
    }
    routes = List.copyOf(Checks.notNull("routes", routes));
    if (routes.isEmpty()) {
      throw new ConfigException("routes", "empty (expected: at least one route name)");
    }
  }
}
