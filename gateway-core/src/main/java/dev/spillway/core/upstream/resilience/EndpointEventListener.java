package dev.spillway.core.upstream.resilience;

import dev.spillway.core.upstream.Endpoint;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;

/**
 * Learns when an endpoint leaves or rejoins the rotation, for monitoring (a later component turns these into
 * incidents). Every method defaults to doing nothing. Calls come from whichever thread caused the change,
 * often an event loop: keep them short and never block. An exception thrown here is logged and swallowed; it
 * never breaks the request that caused the change.
 */
public interface EndpointEventListener {
  /** Listens to nothing. */
  EndpointEventListener NOOP = new EndpointEventListener() {};

  /** The endpoint's circuit breaker moved from {@code from} to {@code to}. */
  default void onBreakerStateChange(Endpoint endpoint, CircuitBreaker.State from, CircuitBreaker.State to) {}

  /** Passive outlier detection took the endpoint out of rotation for {@code backoff}. */
  default void onEjected(Endpoint endpoint, Duration backoff) {}

  /** The endpoint's ejection ended. */
  default void onRestored(Endpoint endpoint) {}

  /**
   * The upstream asked for a pause ({@code Retry-After}, {@code x-ratelimit-reset-*}): the endpoint gets no
   * requests for {@code length} from now. Only reported when it moves the end of the cooldown later.
   */
  default void onCooldown(Endpoint endpoint, Duration length) {}

  /** Active health checks turned the endpoint healthy or unhealthy. */
  default void onHealthChange(Endpoint endpoint, boolean healthy) {}
}
