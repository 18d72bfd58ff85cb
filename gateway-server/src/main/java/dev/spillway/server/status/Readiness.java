package dev.spillway.server.status;

import dev.spillway.core.Gateway;
import dev.spillway.core.routing.Route;

/**
 * Whether the gateway should get traffic: not while it drains, and not when no route has a backend with an
 * endpoint. Breakers and health checks will narrow "available" when they exist.
 */
@FunctionalInterface
public interface Readiness {
  /** Always ready (tests of parts that do not care). */
  Readiness ALWAYS = () -> null;

  /** Why the gateway is not ready, or {@code null} when it is. */
  String notReadyReason();

  /** The readiness of a running gateway. */
  static Readiness of(Gateway gateway) {
    return () -> {
      if (gateway.isShuttingDown()) {
        return "draining: the gateway is shutting down";
      }
      for (Route route : gateway.router().routes()) {
        for (Route.Tier tier : route.tiers()) { // a fallback with endpoints can serve the route too
          if (tier.backend() != null && !tier.backend().endpoints().isEmpty()) {
            return null;
          }
        }
      }
      return "no route has an available backend";
    };
  }
}
