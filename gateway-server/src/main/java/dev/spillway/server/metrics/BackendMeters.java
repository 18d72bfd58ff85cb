package dev.spillway.server.metrics;

import dev.spillway.core.admission.concurrency.BackendAdmission;
import dev.spillway.core.attempt.AttemptOutcome;
import dev.spillway.core.upstream.Backend;
import dev.spillway.core.upstream.resilience.EndpointState;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;

/**
 * The scrape-time meters of one backend, whatever its place in a route (primary or fallback): endpoint count,
 * concurrency limit and waiting room, per endpoint its in-flight count, breaker, health, ejection and every
 * attempt by its outcome, and engine signals. Remembers what it registered so a backend removed from the
 * configuration takes its meters with it.
 */
final class BackendMeters {
  private final MeterRegistry registry;
  private final Backend backend;
  private final List<Meter> meters = new ArrayList<>();

  private BackendMeters(MeterRegistry registry, Backend backend) {
    this.registry = registry;
    this.backend = backend;
  }

  /** Registers the meters of {@code backend}. */
  static BackendMeters bind(MeterRegistry registry, Backend backend) {
    BackendMeters m = new BackendMeters(registry, backend);
    m.bindAll();
    return m;
  }

  /** The live backend these meters read. */
  Backend backend() {
    return backend;
  }

  /** Removes every meter registered here. */
  void remove() {
    meters.forEach(registry::remove);
    meters.clear();
  }

  private void bindAll() {
    String name = backend.name();
    meters.add(Gauge.builder("spillway_backend_endpoints", backend, b -> b.endpoints().size()).tag("backend", name)
        .description("Endpoints configured for the backend").register(registry));
    BackendAdmission admission = backend.admission();
    if (admission != null) {
      int maxQueue = backend.config().waitingRoom().maxQueue();
      meters.add(Gauge.builder("spillway_backend_concurrency_limit", admission, BackendAdmission::limit)
          .tag("backend", name).description("The backend's current concurrency limit").register(registry));
      meters.add(Gauge.builder("spillway_backend_prefill_gate_width", admission, BackendAdmission::prefillGateWidth)
          .tag("backend", name).description("Admitted requests that may await their first token at once; 0 while "
              + "the prefill gate is open for all").register(registry));
      meters.add(Gauge.builder("spillway_backend_in_flight", admission, BackendAdmission::inFlight)
          .tag("backend", name).description("Requests holding a concurrency permit").register(registry));
      meters.add(Gauge.builder("spillway_waiting_room_depth", admission, BackendAdmission::queued)
          .tag("backend", name).description("Requests waiting for a concurrency permit").register(registry));
      meters.add(Gauge.builder("spillway_waiting_room_capacity", () -> maxQueue).tag("backend", name)
          .description("The waiting room's size (maxQueue)").register(registry));
    }
    for (EndpointState endpoint : backend.endpointGroup().states()) {
      bindEndpoint(name, endpoint);
    }
    if (backend.engineSignals() != null) {
      meters.addAll(EngineSignalMeters.bind(registry, name, backend.engineSignals()));
    }
  }

  /** Per endpoint (endpoints come from config: bounded); attempts by the 17 attempt outcomes. */
  private void bindEndpoint(String backendName, EndpointState endpoint) {
    String name = endpoint.endpoint().toString();
    meters.add(Gauge.builder("spillway_endpoint_in_flight", endpoint, EndpointState::outstanding)
        .description("Requests in flight to the endpoint").tags("backend", backendName, "endpoint", name)
        .register(registry));
    meters.add(Gauge.builder("spillway_endpoint_breaker_state", endpoint, e -> breakerState(e.breakerState()))
        .description("0 closed, 1 half-open, 2 open, 3 disabled or forced")
        .tags("backend", backendName, "endpoint", name).register(registry));
    meters.add(Gauge.builder("spillway_endpoint_healthy", endpoint, e -> e.healthy() ? 1 : 0)
        .description("1 when active health checks pass (or are off)").tags("backend", backendName, "endpoint", name)
        .register(registry));
    meters.add(Gauge.builder("spillway_endpoint_ejected", endpoint, e -> e.ejected() ? 1 : 0)
        .description("1 while outlier detection has ejected the endpoint")
        .tags("backend", backendName, "endpoint", name).register(registry));
    for (AttemptOutcome outcome : AttemptOutcome.values()) {
      meters.add(FunctionCounter.builder("spillway_upstream_attempts", endpoint, e -> e.attempts(outcome))
          .description("Every attempt sent to the endpoint (retried and abandoned ones too), by its attempt "
              + "outcome")
          .tags("backend", backendName, "endpoint", name, "outcome", outcome.tag()).register(registry));
    }
  }

  private static double breakerState(CircuitBreaker.State state) {
    switch (state) {
      case CLOSED:
        return 0;
      case HALF_OPEN:
        return 1;
      case OPEN:
        return 2;
      default:
        return 3;
    }
  }
}
