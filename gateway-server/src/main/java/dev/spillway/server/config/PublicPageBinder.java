package dev.spillway.server.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Binds {@code status.public}, the public status page, checking that each component's routes exist. Errors
 * are reported with key path and line like every other binder's.
 */
final class PublicPageBinder {
  static final List<String> KEYS = List.of("enabled", "title", "path", "host", "port", "components");
  static final List<String> COMPONENT_KEYS = List.of("name", "description", "routes");

  private PublicPageBinder() {}

  /** The page's config, {@link PublicPageConfig#DISABLED} when absent, or {@code null} after reporting. */
  static PublicPageConfig bind(MappingReader page, Set<String> routeNames) {
    if (page == null) {
      return null;
    }
    if (page.node().entries().isEmpty()) {
      return PublicPageConfig.DISABLED;
    }
    page.rejectUnknownKeys(KEYS);
    boolean enabled = page.bool("enabled", true);
    String title = page.string("title", PublicPageConfig.DEFAULT_TITLE);
    boolean ownPort = page.has("port");
    String path = page.string("path", ownPort ? "/" : PublicPageConfig.DEFAULT_PATH);
    String host = page.string("host", PublicPageConfig.DEFAULT_HOST);
    int port = page.integer("port", PublicPageConfig.ADMIN_LISTENER);
    List<PublicComponentConfig> components = components(page, routeNames);
    if (components == null) {
      return null;
    }
    return page.construct(() -> new PublicPageConfig(enabled, title, path, host, port, components));
  }

  /** The names of the routes in the file, to check components against. */
  static Set<String> routeNames(MappingReader root) {
    Set<String> names = new LinkedHashSet<>();
    ConfigNode.Entry routes = root.node().get("routes");
    if (routes != null && routes.value() instanceof ConfigNode.Sequence list) {
      for (ConfigNode item : list.items()) {
        if (item instanceof ConfigNode.Mapping m && m.get("name") != null
            && m.get("name").value() instanceof ConfigNode.Scalar name) {
          names.add(name.text());
        }
      }
    }
    return names;
  }

  private static List<PublicComponentConfig> components(MappingReader page, Set<String> routeNames) {
    ConfigNode.Sequence list = page.sequence("components");
    if (list == null) {
      return page.has("components") ? null : List.of();
    }
    List<PublicComponentConfig> out = new ArrayList<>();
    boolean failed = false;
    for (int i = 0; i < list.items().size(); i++) {
      ConfigNode item = list.items().get(i);
      String path = page.childPath("components") + "[" + i + "]";
      if (!(item instanceof ConfigNode.Mapping)) {
        page.problems().add(path, item.line(), item.describe() + " is not a map (expected: name, routes)");
        failed = true;
        continue;
      }
      MappingReader c = new MappingReader((ConfigNode.Mapping) item, path, item.line(), page.problems(), page.env());
      c.rejectUnknownKeys(COMPONENT_KEYS);
      String name = c.string("name", null);
      if (name == null) {
        c.missing("name", "the name users see");
      }
      String description = c.string("description", null);
      List<String> routes = c.list("routes", "a route name", r -> r);
      if (routes != null && routes.isEmpty()) {
        c.missing("routes", "the names of the routes behind this component");
        routes = null;
      }
      if (routes != null) {
        for (int r = 0; r < routes.size(); r++) {
          if (!routeNames.contains(routes.get(r))) {
            int line = c.problems().lineOf(c.childPath("routes") + "[" + r + "]");
            c.problems().add(c.childPath("routes") + "[" + r + "]", line > 0 ? line : item.line(), "unknown route "
                + routes.get(r) + " (expected: one of " + String.join(", ", routeNames) + ")");
            routes = null;
            break;
          }
        }
      }
      List<String> bound = routes;
      PublicComponentConfig component = name == null || bound == null ? null
          : c.construct(() -> new PublicComponentConfig(name, description, bound));
      failed |= component == null;
      out.add(component);
    }
    return failed ? null : out;
  }
}
