package dev.spillway.server.status;

import dev.spillway.core.upstream.resilience.EndpointGroup;
import dev.spillway.core.upstream.resilience.EndpointState;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;

/**
 * How many of a backend's endpoints the gateway would send a request to right now, and why the others are out:
 * an open circuit breaker (or a half-open one, which lets only a few trial requests through), failing health
 * checks, or outlier ejection. In panic mode (too many endpoints down)
 * the picker tries unhealthy and ejected endpoints anyway; they still count as out here, since they are not
 * fit to serve, and the reason says that they are tried.
 *
 * @param available endpoints that can take requests
 * @param total endpoints configured
 * @param why what keeps the unavailable ones out ({@code "circuit breaker open"}), empty when all are available
 */
public record EndpointAvailability(int available, int total, String why) {
  /** Nothing to say: a component without endpoints of its own (a route). */
  public static final EndpointAvailability NOT_APPLICABLE = new EndpointAvailability(-1, -1, "");

  public static EndpointAvailability of(EndpointGroup group) {
    boolean panic = group.inPanic();
    int available = 0;
    int breakers = 0;
    int trials = 0;
    int unhealthy = 0;
    int ejected = 0;
    for (EndpointState s : group.states()) {
      CircuitBreaker.State b = s.breakerState();
      if (b == CircuitBreaker.State.OPEN || b == CircuitBreaker.State.FORCED_OPEN) {
        breakers++;
      } else if (b == CircuitBreaker.State.HALF_OPEN) {
        trials++; // only a few trial requests get through until they succeed
      } else if (!s.healthy()) {
        unhealthy++;
      } else if (s.ejected()) {
        ejected++;
      } else {
        available++;
      }
    }
    StringBuilder why = new StringBuilder();
    append(why, breakers, "circuit breaker open");
    append(why, trials, "circuit breaker half-open, trial requests only");
    append(why, unhealthy, "failing health checks");
    append(why, ejected, "ejected after failures");
    if (panic && unhealthy + ejected > 0) {
      why.append("; panic mode: tried anyway");
    }
    return new EndpointAvailability(available, group.states().size(), why.toString());
  }

  private static void append(StringBuilder sb, int n, String what) {
    if (n > 0) {
      sb.append(sb.length() == 0 ? "" : ", ").append(n).append(' ').append(what);
    }
  }

  public boolean noneAvailable() {
    return total >= 0 && available == 0;
  }

  public boolean someUnavailable() {
    return total > 0 && available < total;
  }
}
