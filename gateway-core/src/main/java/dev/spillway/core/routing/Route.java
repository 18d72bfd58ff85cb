package dev.spillway.core.routing;

import dev.spillway.core.admission.RouteAdmission;
import dev.spillway.core.config.PriorityClass;
import dev.spillway.core.config.RouteConfig;
import dev.spillway.core.retry.RouteRetries;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import dev.spillway.core.upstream.Backend;

/** A route resolved against live backends: requests matching {@link #config()}'s match go to {@link #backend()}. */
public final class Route {
  private final RouteConfig config;
  private final Backend backend;
  private final String host;
  private final String pathPrefix;
  private final RouteAdmission admission;
  private final List<Tier> tiers;
  private final RouteRetries retries;

  /**
   * One failover tier: a backend, the model to ask it for ({@code null}: the client's), and the priority
   * classes that may overflow to it when the primary's waiting room cannot take them (empty: none).
   */
  public record Tier(Backend backend, String model, Set<PriorityClass> overflow) {
    public Tier {
      overflow = overflow.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(overflow));
    }

    /** A tier nothing overflows to. */
    public Tier(Backend backend, String model) {
      this(backend, model, Set.of());
    }
  }

  public Route(RouteConfig config, Backend backend) {
    this(config, backend, null);
  }

  /** A route with admission control ({@code admission} may be {@code null} for none) and one tier. */
  public Route(RouteConfig config, Backend backend, RouteAdmission admission) {
    this(config, List.of(new Tier(backend, null)), admission, null);
  }

  /**
   * A route with failover tiers (the first is the primary) and retries ({@code null}: none).
   */
  public Route(RouteConfig config, List<Tier> tiers, RouteAdmission admission, RouteRetries retries) {
    this.config = config;
    this.tiers = List.copyOf(tiers);
    this.backend = this.tiers.get(0).backend();
    this.admission = admission;
    this.retries = retries;
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

  /** The failover tiers in order; the first is the primary ({@link #backend()}). */
  public List<Tier> tiers() {
    return tiers;
  }

  /** The route's retry policy and budget, or {@code null} when it never retries. */
  public RouteRetries retries() {
    return retries;
  }

  /** The route's admission control, or {@code null} when it admits everything. */
  public RouteAdmission admission() {
    return admission;
  }

  /**
   * Whether this route takes a request.
   *
   * @param requestHost the Host header, lower-cased and without its port, or {@code null}
   * @param path the request path without its query, normalized ({@link PathNormalizer})
   */
  boolean matches(String requestHost, String path) {
    if (host != null && !host.equals(requestHost)) {
      return false;
    }
    return PathNormalizer.underPrefix(path, pathPrefix);
  }
}
