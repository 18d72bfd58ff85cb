package dev.spillway.core.routing;

import java.util.List;
import java.util.Locale;

/** Picks the route for a request: routes are tried in order and the first match wins. Immutable. */
public final class Router {
  private final Route[] routes;
  /** Whether any route matches on Host; if none does, the header is not even looked at. */
  private final boolean matchesHosts;

  public Router(List<Route> routes) {
    this.routes = routes.toArray(new Route[0]);
    this.matchesHosts = routes.stream().anyMatch(r -> r.config().match().host() != null);
  }

  /**
   * Finds the route for a request.
   *
   * @param hostHeader the request's Host header as sent (any case, may carry a port), or {@code null}
   * @param path the request path, without the query string
   * @return the first matching route, or {@code null} when none matches
   */
  public Route route(String hostHeader, String path) {
    String host = matchesHosts ? normalizeHost(hostHeader) : null;
    for (Route route : routes) {
      if (route.matches(host, path)) {
        return route;
      }
    }
    return null;
  }

  public List<Route> routes() {
    return List.of(routes);
  }

  /** Lower-cases a Host header and drops its port, keeping IPv6 literals intact. */
  static String normalizeHost(String hostHeader) {
    if (hostHeader == null) {
      return null;
    }
    String h = hostHeader.trim();
    int end = h.length();
    if (h.startsWith("[")) {
      int close = h.indexOf(']');
      end = close < 0 ? end : close + 1;
    } else {
      int colon = h.lastIndexOf(':');
      if (colon >= 0) {
        end = colon;
      }
    }
    return h.substring(0, end).toLowerCase(Locale.ROOT);
  }
}
