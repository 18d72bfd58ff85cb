package dev.spillway.core.config;

import java.util.Locale;

/**
 * Which requests a route takes.
 *
 * @param host the {@code Host} header to match, case-insensitive and without port; {@code null} matches any
 * @param pathPrefix the request path must start with this; {@code /} matches everything
 */
public record RouteMatch(String host, String pathPrefix) {
  public static final String DEFAULT_PATH_PREFIX = "/";

  public RouteMatch {
    if (host != null) {
      Checks.notBlank("host", host);
      host = host.toLowerCase(Locale.ROOT);
    }
    Checks.notNull("pathPrefix", pathPrefix);
    if (!pathPrefix.startsWith("/")) {
      throw new ConfigException("pathPrefix", "\"" + pathPrefix + "\" (expected: a path starting with /)");
    }
  }
}
