package dev.spillway.server.status;

import dev.spillway.core.config.Durations;
import dev.spillway.core.upstream.Endpoint;
import dev.spillway.core.upstream.resilience.EndpointEventListener;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;

/**
 * Turns the backends' endpoint changes (breaker transitions, outlier ejections, failing health checks) into
 * {@link ResilienceEvent}s for the status tracker, which groups them into incidents. The gateway starts before
 * the tracker exists, so events before {@link #attach} are dropped (there is nothing to report them to yet).
 * Called from event loops: it only enqueues.
 */
public final class EndpointEventBridge implements EndpointEventListener {
  private volatile StatusTracker tracker;

  public void attach(StatusTracker statusTracker) {
    this.tracker = statusTracker;
  }

  @Override
  public void onBreakerStateChange(Endpoint endpoint, CircuitBreaker.State from, CircuitBreaker.State to) {
    if (to == CircuitBreaker.State.OPEN) {
      emit(ResilienceEvent.Type.BREAKER_OPENED, endpoint, "circuit breaker opened (was " + from + ")");
    } else if (to == CircuitBreaker.State.CLOSED && from != CircuitBreaker.State.CLOSED) {
      emit(ResilienceEvent.Type.BREAKER_CLOSED, endpoint, "circuit breaker closed");
    }
  }

  @Override
  public void onEjected(Endpoint endpoint, Duration backoff) {
    emit(ResilienceEvent.Type.ENDPOINT_EJECTED, endpoint, "ejected for " + Durations.format(backoff)
        + " after consecutive failures");
  }

  @Override
  public void onRestored(Endpoint endpoint) {
    emit(ResilienceEvent.Type.ENDPOINT_RESTORED, endpoint, "restored");
  }

  @Override
  public void onHealthChange(Endpoint endpoint, boolean healthy) {
    if (healthy) {
      emit(ResilienceEvent.Type.ENDPOINT_RESTORED, endpoint, "health checks passing again");
    } else {
      emit(ResilienceEvent.Type.ENDPOINT_EJECTED, endpoint, "failing health checks");
    }
  }

  private void emit(ResilienceEvent.Type type, Endpoint endpoint, String detail) {
    StatusTracker t = tracker;
    if (t != null) {
      t.onResilienceEvent(new ResilienceEvent(type, "endpoint " + endpoint, detail));
    }
  }
}
