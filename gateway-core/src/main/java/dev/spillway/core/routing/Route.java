package dev.spillway.core.routing;

import dev.spillway.core.admission.RouteAdmission;
import dev.spillway.core.config.RouteConfig;
import dev.spillway.core.upstream.Backend;

/** A route resolved against live backends: requests matching {@link #config()}'s match go to {@link #backend()}. */
public final class Route {
  private final RouteConfig config;
  private final Backend backend;
  private final String host;
  private final String pathPrefix;
  private final RouteAdmission admission;

  public Route(RouteConfig config, Backend backend) {
    this(config, backend, null);
  }

  /** A route with admission control ({@code admission} may be {@code null} for none). */
  public Route(RouteConfig config, Backend backend, RouteAdmission admission) {
    this.config = config;
    this.backend = backend;
    this.admission = admission;
    this.host = config.match().host();
    this.pathPrefix = config.match().pathPrefix();
  }

  public String name() {
    return config.name();
  }

  public RouteConfig config() {
    return config;
  }

  public Backend backend() {
    return backend;
  }

  /** The route's admission control, or {@code null} when it admits everything. */
  public RouteAdmission admission() {
    return admission;
  }

  /**
   * Whether this route takes a request.
   *
   * @param requestHost the Host header, lower-cased and without its port, or {@code null}
   * @param path the request path without its query
   */
  boolean matches(String requestHost, String path) {
    if (host != null && !host.equals(requestHost)) {
      return false;
    }
    return path.startsWith(pathPrefix);
  }
}
