package dev.spillway.core.proxy;

import dev.spillway.core.attempt.AttemptOutcome;
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
 *   <li>A tier must also let the request in under its own concurrency limit ({@link TierEntry}); a tier that
 *       is full is skipped for the rest of the request, like one without endpoints.
 *   <li>A retry never goes to an endpoint this request already tried.
 *   <li>Whether to retry is the route's {@link RouteRetries} decision: only what is safe to replay, at most
 *       {@code maxAttempts} in all, with backoff, never sooner than a {@code Retry-After}, within the budget.
 * </ul>
 * Runs on the exchange's event loop.
 */
final class AttemptPlanner {
  /** An endpoint lease and the tier it came from ({@code tierIndex} 0 is the primary). */
  record Pick(Route.Tier tier, int tierIndex, EndpointAttempt lease) {}

  /** Lets a request into a tier that has an endpoint for it: the tier's concurrency permit. */
  interface TierEntry {
    /** Whether the request may use tier {@code tierIndex} now; {@code false} when the tier is full. */
    boolean enter(int tierIndex, Route.Tier tier);
  }

  private final Route route;
  private final List<Endpoint> tried = new ArrayList<>(2);
  /** Tiers found full for this request, by index. */
  private final boolean[] full;
  private int attempts;

  AttemptPlanner(Route route) {
    this.route = route;
    this.full = new boolean[route.tiers().size()];
  }

  /**
   * The next attempt's tier and endpoint, or {@code null} when no tier both has an untried endpoint available
   * and lets the request in.
   */
  Pick next(TierEntry entry) {
    List<Route.Tier> tiers = route.tiers();
    for (int t = 0; t < tiers.size(); t++) {
      if (full[t]) {
        continue;
      }
      Route.Tier tier = tiers.get(t);
      EndpointAttempt lease = tier.backend().endpointGroup().acquireExcluding(tried);
      if (lease != null) {
        if (!entry.enter(t, tier)) {
          full[t] = true;
          lease.onCancelled(); // never used: says nothing about the endpoint
          continue;
        }
        tried.add(lease.endpoint());
        if (attempts++ == 0 && route.retries() != null) {
          route.retries().onFirstAttempt();
        }
        return new Pick(tier, t, lease);
      }
    }
    return null;
  }

  /** Whether some tier not found full still has an endpoint this request has not tried (available or not). */
  boolean hasUntried() {
    List<Route.Tier> tiers = route.tiers();
    int total = 0;
    for (int t = 0; t < tiers.size(); t++) {
      for (Endpoint e : tiers.get(t).backend().endpoints()) {
        if (!full[t] && !tried.contains(e)) {
          total++;
        }
      }
    }
    return total > 0;
  }

  /** Whether some tier turned this request away for being full. */
  boolean sawFullTier() {
    for (boolean f : full) {
      if (f) {
        return true;
      }
    }
    return false;
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
  RetryDecision decide(AttemptOutcome outcome, boolean bodyHeld, long retryAfterNanos) {
    return route.retries().decide(attempts, outcome, false, bodyHeld, Math.max(0, retryAfterNanos));
  }

  int attempts() {
    return attempts;
  }
}
