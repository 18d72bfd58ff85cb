package dev.spillway.server.metrics;

import dev.spillway.core.Gateway;
import dev.spillway.core.admission.concurrency.BackendAdmission;
import dev.spillway.core.admission.ratelimit.RateLimitStats;
import dev.spillway.core.observe.ExchangeRecord;
import dev.spillway.core.routing.Route;
import dev.spillway.core.upstream.Backend;
import dev.spillway.server.status.ComponentStatus;
import dev.spillway.server.status.StatusTracker;
import io.micrometer.core.instrument.FunctionCounter;
import dev.spillway.core.upstream.resilience.EndpointState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.internal.PlatformDependent;
import java.util.HashSet;
import java.util.Set;

/**
 * Spillway's Prometheus metrics ({@code /metrics}): per-request meters fed from {@link ExchangeRecord}s on the
 * monitor thread, gauges read at scrape time from the live router (concurrency limits, in-flight, waiting
 * rooms, rate-limit counters, component states), JVM metrics and Netty's direct memory. See
 * {@code docs/operations.md} for every name.
 */
public final class GatewayMetrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ExchangeMeters exchanges = new ExchangeMeters(registry);
  private final Set<String> limitKeys = new HashSet<>();
  private final JvmGcMetrics gc = new JvmGcMetrics();

  public GatewayMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    Gauge.builder("spillway_netty_direct_memory_used", PlatformDependent::usedDirectMemory)
        .description("Direct memory Netty has reserved (-1 when not tracked)").baseUnit("bytes").register(registry);
    if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider) {
      Gauge.builder("spillway_netty_allocator_direct_memory_used", provider, p -> p.metric().usedDirectMemory())
          .description("Direct memory held by Netty's default allocator").baseUnit("bytes").register(registry);
    }
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Counts one finished request. Monitor thread only. */
  public void onRecord(ExchangeRecord record) {
    exchanges.record(record);
  }

  /** Gauges of the running gateway: readiness, in-flight, each backend's limit and waiting room, each route's limits. */
  public void bind(Gateway gateway, StatusTracker status) {
    Gauge.builder("spillway_active_requests", gateway, Gateway::activeRequests)
        .description("Requests in progress").register(registry);
    Gauge.builder("spillway_draining", gateway, g -> g.isDraining() ? 1 : 0)
        .description("1 while the gateway shuts down").register(registry);
    Gauge.builder("spillway_ready", status, s -> s.snapshot().ready() ? 1 : 0)
        .description("1 when /readyz answers 200").register(registry);
    Gauge.builder("spillway_incidents_open", status, StatusTracker::openIncidents)
        .description("Incidents not yet resolved").register(registry);
    OverloadMeters.bind(registry, gateway.overload());
    LimiterStoreMeters.bind(registry, gateway.limiterStores());
    bindComponent(status, "gateway", "overload");
    for (Route route : gateway.router().routes()) {
      bindComponent(status, "route", route.name());
      if (route.admission() != null) {
        bindRateLimits(route.name(), route.admission().limiter().stats());
      }
      if (route.retries() != null) {
        var budget = route.retries().budget();
        io.micrometer.core.instrument.FunctionCounter.builder("spillway_retries", budget,
                dev.spillway.core.retry.RetryBudget::retriesAttempted)
            .description("Retries made (an attempt after the first)").tag("route", route.name()).register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("spillway_retries_denied", budget,
                dev.spillway.core.retry.RetryBudget::retriesDenied)
            .description("Retries the route's budget refused (failing fast instead)").tag("route", route.name())
            .register(registry);
        Gauge.builder("spillway_retry_budget_tokens", budget, dev.spillway.core.retry.RetryBudget::balance)
            .description("Retries the budget would allow right now").tag("route", route.name()).register(registry);
      }
    }
    Set<String> backends = new HashSet<>();
    for (Route route : gateway.router().routes()) {
      Backend backend = route.backend();
      if (backend != null && backends.add(backend.name())) {
        bindComponent(status, "backend", backend.name());
        Gauge.builder("spillway_backend_endpoints", backend, b -> b.endpoints().size()).tag("backend", backend.name())
            .description("Endpoints configured for the backend").register(registry);
        if (backend.admission() != null) {
          bindAdmission(backend.name(), backend.admission(), backend.config().waitingRoom().maxQueue());
        }
        for (EndpointState endpoint : backend.endpointGroup().states()) {
          bindEndpoint(backend.name(), endpoint);
        }
        if (backend.engineSignals() != null) {
          EngineSignalMeters.bind(registry, backend.name(), backend.engineSignals());
        }
      }
    }
  }

  /** Per endpoint: requests in flight, breaker state, health and ejection (endpoints come from config: bounded). */
  private void bindEndpoint(String backend, EndpointState endpoint) {
    String name = endpoint.endpoint().toString();
    Gauge.builder("spillway_endpoint_in_flight", endpoint, EndpointState::outstanding)
        .description("Requests in flight to the endpoint").tags("backend", backend, "endpoint", name)
        .register(registry);
    Gauge.builder("spillway_endpoint_breaker_state", endpoint, e -> breakerState(e.breakerState()))
        .description("0 closed, 1 half-open, 2 open, 3 disabled or forced").tags("backend", backend, "endpoint", name)
        .register(registry);
    Gauge.builder("spillway_endpoint_healthy", endpoint, e -> e.healthy() ? 1 : 0)
        .description("1 when active health checks pass (or are off)").tags("backend", backend, "endpoint", name)
        .register(registry);
    Gauge.builder("spillway_endpoint_ejected", endpoint, e -> e.ejected() ? 1 : 0)
        .description("1 while outlier detection has ejected the endpoint").tags("backend", backend, "endpoint", name)
        .register(registry);
  }

  private static double breakerState(io.github.resilience4j.circuitbreaker.CircuitBreaker.State state) {
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

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  private void bindComponent(StatusTracker status, String kind, String name) {
    Gauge.builder("spillway_component_state", status, s -> stateOf(s, kind, name))
        .description("0 operational, 1 degraded, 2 at capacity, 3 outage").tags("kind", kind, "name", name)
        .register(registry);
  }

  private static double stateOf(StatusTracker status, String kind, String name) {
    for (ComponentStatus c : status.snapshot().components()) {
      if (c.kind().equals(kind) && c.name().equals(name)) {
        return c.state().severity();
      }
    }
    return 0;
  }

  private void bindAdmission(String backend, BackendAdmission admission, int maxQueue) {
    Gauge.builder("spillway_backend_concurrency_limit", admission, BackendAdmission::limit).tag("backend", backend)
        .description("The backend's current concurrency limit").register(registry);
    Gauge.builder("spillway_backend_in_flight", admission, BackendAdmission::inFlight).tag("backend", backend)
        .description("Requests holding a concurrency permit").register(registry);
    Gauge.builder("spillway_waiting_room_depth", admission, BackendAdmission::queued).tag("backend", backend)
        .description("Requests waiting for a concurrency permit").register(registry);
    Gauge.builder("spillway_waiting_room_capacity", () -> maxQueue).tag("backend", backend)
        .description("The waiting room's size (maxQueue)").register(registry);
  }

  private void bindRateLimits(String route, RateLimitStats stats) {
    FunctionCounter.builder("spillway_ratelimit_admitted", stats, RateLimitStats::admitted).tag("route", route)
        .description("Requests every enforced rate limit admitted").register(registry);
    FunctionCounter.builder("spillway_ratelimit_rejected", stats, RateLimitStats::rejected).tag("route", route)
        .description("Requests a rate limit rejected").register(registry);
    FunctionCounter.builder("spillway_ratelimit_shadow_rejected", stats, RateLimitStats::shadowRejected)
        .tag("route", route).description("Requests a shadow-mode limit would have rejected").register(registry);
    FunctionCounter.builder("spillway_ratelimit_bucket_evictions", stats, RateLimitStats::evictions)
        .tag("route", route).description("Tenant buckets dropped from memory").register(registry);
    refreshLimits(route, stats);
  }

  /** Per-limit rejection counters; limits register lazily in core, so new ones are picked up on each refresh. */
  private void refreshLimits(String route, RateLimitStats stats) {
    for (String limit : stats.rejectedByLimit().keySet()) {
      if (limitKeys.add(route + "\u0000" + limit)) {
        FunctionCounter.builder("spillway_ratelimit_limit_rejected", stats,
                s -> s.rejectedByLimit().getOrDefault(limit, 0L))
            .tags("route", route, "limit", limit).description("Rejections by each enforced limit ({scope}.{name})")
            .register(registry);
      }
    }
  }

  /** Picks up limits registered since the last call. Monitor thread. */
  public void refresh(Gateway gateway) {
    for (Route route : gateway.router().routes()) {
      if (route.admission() != null) {
        refreshLimits(route.name(), route.admission().limiter().stats());
      }
    }
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
