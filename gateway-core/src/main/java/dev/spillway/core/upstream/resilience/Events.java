package dev.spillway.core.upstream.resilience;

import dev.spillway.core.upstream.Endpoint;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls an {@link EndpointEventListener} so that it can never break the data path: each call is wrapped and a
 * throw is logged, not propagated. Events are rare (state changes only), so logging them is not per-request.
 */
final class Events {
  private static final Logger log = LoggerFactory.getLogger(Events.class);

  private final EndpointEventListener listener;

  Events(EndpointEventListener listener) {
    this.listener = listener;
  }

  void breakerStateChange(Endpoint endpoint, CircuitBreaker.State from, CircuitBreaker.State to) {
    log.info("Circuit breaker of {} went from {} to {}", endpoint, from, to);
    try {
      listener.onBreakerStateChange(endpoint, from, to);
    } catch (Throwable t) {
      warn("onBreakerStateChange", t);
    }
  }

  void ejected(Endpoint endpoint, Duration backoff) {
    log.info("Ejected {} for {}", endpoint, backoff);
    try {
      listener.onEjected(endpoint, backoff);
    } catch (Throwable t) {
      warn("onEjected", t);
    }
  }

  void restored(Endpoint endpoint) {
    log.info("Restored {} after ejection", endpoint);
    try {
      listener.onRestored(endpoint);
    } catch (Throwable t) {
      warn("onRestored", t);
    }
  }

  void cooldown(Endpoint endpoint, Duration length) {
    try {
      listener.onCooldown(endpoint, length);
    } catch (Throwable t) {
      warn("onCooldown", t);
    }
  }

  void healthChange(Endpoint endpoint, boolean healthy) {
    log.info("Health check: {} is {}", endpoint, healthy ? "healthy" : "unhealthy");
    try {
      listener.onHealthChange(endpoint, healthy);
    } catch (Throwable t) {
      warn("onHealthChange", t);
    }
  }

  private static void warn(String method, Throwable t) {
    log.warn("EndpointEventListener.{} threw; ignored", method, t);
  }
}
