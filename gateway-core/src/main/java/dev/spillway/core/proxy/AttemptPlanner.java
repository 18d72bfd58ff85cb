package dev.spillway.core.proxy;

import dev.spillway.core.http.GatewayError;
import dev.spillway.core.retry.FailureKind;
import dev.spillway.core.retry.RetryDecision;
import dev.spillway.core.retry.RouteRetries;
import dev.spillway.core.routing.Route;
import dev.spillway.core.upstream.Endpoint;
import dev.spillway.core.upstream.resilience.EndpointAttempt;
import java.util.ArrayList;
import java.util.List;

/**
 * Chooses where each attempt of one request goes and whether a failed attempt is tried again.
 *
 * <ul>
 *   <li>Tiers are tried in order: the first tier with an available endpoint not yet tried by this request
 *       serves it, so traffic spills to the next tier only while the earlier ones have nothing to offer, and
 *       returns to the primary as soon as it recovers (each request starts from the top).
 *   <li>A retry never goes to an endpoint this request already tried.
 *   <li>Whether to retry is the route's {@link RouteRetries} decision: only what is safe to replay, at most
 *       {@code maxAttempts} in all, with backoff, never sooner than a {@code Retry-After}, within the budget.
 * </ul>
 * Runs on the exchange's event loop.
 */
final class AttemptPlanner {
  /** An endpoint lease and the tier it came from ({@code tierIndex} 0 is the primary). */
  record Pick(Route.Tier tier, int tierIndex, EndpointAttempt lease) {}

  private final Route route;
  private final List<Endpoint> tried = new ArrayList<>(2);
  private int attempts;

  AttemptPlanner(Route route) {
    this.route = route;
  }

  /** The next attempt's tier and endpoint, or {@code null} when no tier has an untried endpoint available. */
  Pick next() {
    List<Route.Tier> tiers = route.tiers();
    for (int t = 0; t < tiers.size(); t++) {
      Route.Tier tier = tiers.get(t);
      EndpointAttempt lease = tier.backend().endpointGroup().acquireExcluding(tried);
      if (lease != null) {
        tried.add(lease.endpoint());
        if (attempts++ == 0 && route.retries() != null) {
          route.retries().onFirstAttempt();
        }
        return new Pick(tier, t, lease);
      }
    }
    return null;
  }

  /** Whether some tier still has an endpoint this request has not tried (available or not). */
  boolean hasUntried() {
    int total = 0;
    for (Route.Tier tier : route.tiers()) {
      total += tier.backend().endpoints().size();
    }
    return total > tried.size();
  }

  /** Whether this route ever retries. */
  boolean mayRetry() {
    return route.retries() != null;
  }

  /** Whether a body of {@code bodyBytes} is small enough to hold for replay. */
  boolean canReplay(long bodyBytes) {
    return route.retries() != null && route.retries().policy().canReplay(bodyBytes);
  }

  /**
   * Whether to try again after the current attempt failed before any response reached the client.
   *
   * @param retryAfterNanos the backend's requested pause, or a negative value when it asked for none
   */
  RetryDecision decide(FailureKind kind, boolean bodyHeld, long retryAfterNanos) {
    return route.retries().decide(attempts, kind, false, bodyHeld, Math.max(0, retryAfterNanos));
  }

  /** The retry classification of a failure the gateway saw, or {@code null} when it is never retried. */
  static FailureKind kindOf(GatewayError error) {
    switch (error) {
      case UPSTREAM_CONNECT_FAILED:
        return FailureKind.CONNECT_FAILED;
      case UPSTREAM_CONNECT_TIMEOUT:
        return FailureKind.CONNECT_TIMEOUT;
      case UPSTREAM_POOL_EXHAUSTED:
        return FailureKind.POOL_EXHAUSTED;
      case UPSTREAM_RESET:
        return FailureKind.RESET_BEFORE_RESPONSE;
      default:
        return null;
    }
  }

  int attempts() {
    return attempts;
  }
}
