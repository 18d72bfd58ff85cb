package dev.spillway.server.metrics;

import dev.spillway.core.Gateway;
import dev.spillway.core.admission.ratelimit.RateLimitStats;
import dev.spillway.core.observe.ExchangeRecord;
import dev.spillway.core.routing.Route;
import dev.spillway.core.upstream.Backend;
import dev.spillway.server.status.ComponentStatus;
import dev.spillway.server.status.StatusTracker;
import io.micrometer.core.instrument.FunctionCounter;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
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
  private final ShedMeters sheds = new ShedMeters(registry);
  private final Set<String> limitKeys = new HashSet<>();
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final Map<String, Gauge> componentGauges = new HashMap<>();
  private final Map<String, BackendMeters> backendMeters = new HashMap<>();

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

  /** The shed-time histogram, recorded from the event loops ({@link ShedMeters}). */
  public ShedMeters sheds() {
    return sheds;
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
    bindRoutesAndBackends(gateway, status);
  }

  /**
   * Route meters read from live objects a reload replaces (rate-limit stats, retry budgets): see {@link #follow}.
   * Backend and component meters follow by themselves in {@link #refresh}.
   */
  private static final Set<String> FOLLOWED = Set.of("spillway_ratelimit_admitted",
      "spillway_ratelimit_rejected", "spillway_ratelimit_shadow_rejected", "spillway_ratelimit_bucket_evictions",
      "spillway_ratelimit_limit_rejected", "spillway_retries", "spillway_retries_denied",
      "spillway_retry_budget_tokens");

  /**
   * After a reload: binds the routes of the new config again, so added ones get their meters, removed ones
   * lose theirs, and changed ones read their new live objects; backends and components follow in
   * {@link #refresh}. Counters read cumulative values kept across reloads (rate-limit stats, retry budgets), so
   * they carry on rather than restart. Monitor thread (under the monitoring's lock).
   */
  public void follow(Gateway gateway, StatusTracker status) {
    for (io.micrometer.core.instrument.Meter meter : registry.getMeters()) {
      if (FOLLOWED.contains(meter.getId().getName())) {
        registry.remove(meter);
      }
    }
    limitKeys.clear();
    bindRoutesAndBackends(gateway, status);
  }

  private void bindRoutesAndBackends(Gateway gateway, StatusTracker status) {
    for (Route route : gateway.router().routes()) {
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
    refresh(gateway, status);
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  /**
   * One {@code spillway_component_state} gauge per component the status tracker shows (every route, every
   * backend of every route's primary and fallbacks, the gateway's overload); gone components lose theirs.
   */
  private void refreshComponents(StatusTracker status) {
    Set<String> seen = new HashSet<>();
    for (ComponentStatus c : status.snapshot().components()) {
      String key = c.kind() + "\u0000" + c.name();
      seen.add(key);
      if (!componentGauges.containsKey(key)) {
        String kind = c.kind();
        String name = c.name();
        componentGauges.put(key, Gauge.builder("spillway_component_state", status, s -> stateOf(s, kind, name))
            .description("0 operational, 1 degraded, 2 at capacity, 3 outage").tags("kind", kind, "name", name)
            .register(registry));
      }
    }
    componentGauges.entrySet().removeIf(e -> {
      if (seen.contains(e.getKey())) {
        return false;
      }
      registry.remove(e.getValue());
      return true;
    });
  }

  /** Meters for every backend of every failover position; backends no longer configured lose theirs. */
  private void refreshBackends(Gateway gateway) {
    Map<String, Backend> live = new LinkedHashMap<>();
    for (Route route : gateway.router().routes()) {
      for (Route.Tier tier : route.tiers()) {
        if (tier.backend() != null) {
          live.putIfAbsent(tier.backend().name(), tier.backend());
        }
      }
    }
    backendMeters.entrySet().removeIf(e -> {
      if (live.get(e.getKey()) == e.getValue().backend()) {
        return false;
      }
      e.getValue().remove();
      return true;
    });
    live.forEach((name, backend) -> backendMeters.computeIfAbsent(name, n -> BackendMeters.bind(registry, backend)));
  }

  private static double stateOf(StatusTracker status, String kind, String name) {
    for (ComponentStatus c : status.snapshot().components()) {
      if (c.kind().equals(kind) && c.name().equals(name)) {
        return c.state().severity();
      }
    }
    return Double.NaN;
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

  /**
   * Picks up limits registered since the last call, and follows the configuration: meters for backends and
   * status components that appeared, none for those that went. Monitor thread.
   */
  public void refresh(Gateway gateway, StatusTracker status) {
    for (Route route : gateway.router().routes()) {
      if (route.admission() != null) {
        refreshLimits(route.name(), route.admission().limiter().stats());
      }
    }
    refreshBackends(gateway);
    refreshComponents(status);
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
