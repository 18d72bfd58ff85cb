package dev.spillway.server.config;

import dev.spillway.core.config.Checks;
import dev.spillway.core.config.ConfigException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The optional public status page: for end users, components and incidents in plain words and nothing
 * internal. Served on its own listener when {@code port} is set, otherwise on the admin listener under
 * {@code path} (without the admin token).
 *
 * @param enabled whether it is served at all
 * @param title the page's name ("Example AI status")
 * @param path where it is served: a prefix such as {@code /public} on the admin listener, or on its own listener
 * @param host the own listener's address (used only with {@code port})
 * @param port the own listener's port, or {@link #ADMIN_LISTENER} to share the admin listener
 * @param components what users see; empty means one component per route, named after it
 */
public record PublicPageConfig(boolean enabled, String title, String path, String host, int port,
    List<PublicComponentConfig> components) {
  public static final int ADMIN_LISTENER = -1;
  public static final String DEFAULT_TITLE = "Service status";
  public static final String DEFAULT_PATH = "/public";
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** First path segments the admin API uses, which the page must not shadow on the admin listener. */
  private static final Set<String> ADMIN_SEGMENTS = Set.of("", "metrics", "status", "incidents", "config", "api",
      "assets", "healthz", "readyz");
  public static final PublicPageConfig DISABLED = new PublicPageConfig(false, DEFAULT_TITLE, DEFAULT_PATH,
      DEFAULT_HOST, ADMIN_LISTENER, List.of());

  public PublicPageConfig {
    Checks.notBlank("title", title);
    if (title.length() > 100) {
      throw new ConfigException("title", title.length() + " characters (expected: at most 100)");
    }
    Checks.notBlank("path", path);
    if (!path.matches("/([A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*)?")) {
      throw new ConfigException("path", path + " (expected: /, or / followed by segments of letters, digits, "
          + "'.', '_', '~', '-', no trailing /)");
    }
    Checks.notBlank("host", host);
    if (port != ADMIN_LISTENER) {
      Checks.inRange("port", port, 0, 65535);
    } else if (ADMIN_SEGMENTS.contains(path.substring(1).split("/")[0])) {
      throw new ConfigException("path", path + " (expected: a path the admin API does not use, e.g. /public; "
          + "or set port for a listener of its own)");
    }
    components = List.copyOf(Checks.notNull("components", components));
    Set<String> names = new HashSet<>();
    for (int i = 0; i < components.size(); i++) {
      if (!names.add(components.get(i).name())) {
        throw new ConfigException("components[" + i + "].name", components.get(i).name()
            + " (expected: a name no other component has)");
      }
    }
  }

  /** Whether it has a listener of its own. */
  public boolean ownListener() {
    return port != ADMIN_LISTENER;
  }
}
