package dev.spillway.core.runtime;

import dev.spillway.core.admission.RouteAdmission;
import dev.spillway.core.admission.concurrency.BackendAdmission;
import dev.spillway.core.admission.identity.TenantResolver;
import dev.spillway.core.admission.ratelimit.BucketStores;
import dev.spillway.core.admission.ratelimit.RouteRateLimiter;
import dev.spillway.core.config.AdmissionConfig;
import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.EngineSignalConfig;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.config.RetryConfig;
import dev.spillway.core.config.RouteConfig;
import dev.spillway.core.retry.RetryPolicy;
import dev.spillway.core.retry.RouteRetries;
import dev.spillway.core.routing.Route;
import dev.spillway.core.routing.Router;
import dev.spillway.core.time.Ticker;
import dev.spillway.core.upstream.Backend;
import dev.spillway.core.upstream.Endpoint;
import dev.spillway.core.upstream.UpstreamTls;
import dev.spillway.core.upstream.engine.EngineSignals;
import dev.spillway.core.upstream.resilience.EndpointEventListener;
import dev.spillway.core.upstream.resilience.EndpointGroup;
import dev.spillway.core.upstream.resilience.EndpointState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The gateway's long-lived runtime: live backends (endpoints with their breakers, ejections, cooldowns and
 * health; concurrency limits with their permits and waiters; engine signals) and routes (rate-limit buckets,
 * retry budgets), and the {@link Router} snapshot built over them from the current {@link GatewayConfig}.
 *
 * <p>A reload is two steps. {@link #plan} builds the next snapshot over the same live parts, matched by
 * identity (a backend by name, an endpoint by address, a route's buckets by route and limit name), without
 * touching anything the running snapshot uses; it throws if the config cannot be built. {@link Plan#commit}
 * then applies the few in-place changes (concurrency limits, shared buckets), makes the new snapshot current
 * and returns what was taken out of service, to close once drained. The gateway runs one reload at a time;
 * the current snapshot may be read from any thread.
 */
public final class RuntimeRegistry {
  private final Ticker ticker;
  private final EndpointEventListener events;
  /** Where routes keep their rate-limit buckets: this process, or shared on Redis. */
  private final BucketStores stores;
  // Written by one reload at a time, read from any thread (monitoring, admin).
  private volatile GatewayConfig config;
  private volatile Map<String, Backend> backends;
  private volatile Router router;

  /** Builds the first snapshot of {@code config}. */
  public RuntimeRegistry(GatewayConfig config, Ticker ticker, EndpointEventListener events) {
    this(config, ticker, events, BucketStores.LOCAL);
  }

  /** As above, with the routes' rate-limit buckets kept in {@code stores}. */
  public RuntimeRegistry(GatewayConfig config, Ticker ticker, EndpointEventListener events, BucketStores stores) {
    this.stores = stores;
    this.ticker = ticker;
    this.events = events;
    this.config = config;
    Map<String, Backend> live = new LinkedHashMap<>();
    config.backends().forEach((name, b) -> live.put(name, new Backend(b, ticker, events)));
    this.backends = live;
    List<Route> routes = new ArrayList<>();
    for (RouteConfig route : config.routes()) {
      AdmissionConfig admission = route.admission();
      RouteAdmission routeAdmission = admission == null ? null : new RouteAdmission(admission,
          TenantResolver.of(admission, config), RouteRateLimiter.of(route.name(), admission, config, stores, ticker));
      routes.add(new Route(route, tiers(route, live),
          routeAdmission, route.retry().maxAttempts() > 1 ? RouteRetries.of(route.retry(), ticker) : null));
    }
    this.router = new Router(routes);
  }

  /** The current snapshot. */
  public Router router() {
    return router;
  }

  /** The config of the current snapshot. */
  public GatewayConfig config() {
    return config;
  }

  /** Live backends by name, every backend of the config (also those no route uses), in config order. */
  public Map<String, Backend> backends() {
    return java.util.Collections.unmodifiableMap(backends);
  }

  /**
   * Builds the snapshot of {@code next} over the live parts, changing nothing that runs.
   *
   * @throws RuntimeException (a {@link dev.spillway.core.config.ConfigException} or a TLS file error) when
   *     {@code next} cannot be built
   */
  public Plan plan(GatewayConfig next) {
    Plan plan = new Plan(next);
    Map<String, Backend> nextBackends = new LinkedHashMap<>();
    next.backends().forEach((name, b) -> {
      Backend current = backends.get(name);
      nextBackends.put(name, current == null ? new Backend(b, ticker, events) : reconfigured(current, b, plan));
    });
    Map<String, Route> currentRoutes = new LinkedHashMap<>();
    router.routes().forEach(r -> currentRoutes.put(r.name(), r));
    List<Route> routes = new ArrayList<>();
    for (RouteConfig route : next.routes()) {
      Route current = currentRoutes.get(route.name());
      routes.add(new Route(route, tiers(route, nextBackends), admission(route, next, current, plan),
          retries(route.retry(), current)));
    }
    for (Map.Entry<String, Backend> e : backends.entrySet()) {
      if (!nextBackends.containsKey(e.getKey())) {
        plan.retiring.add(retiringBackend(e.getValue()));
      }
    }
    plan.backends = nextBackends;
    plan.router = new Router(routes);
    return plan;
  }

  /** The next snapshot, ready to commit. */
  public final class Plan {
    private final GatewayConfig next;
    private final List<Runnable> inPlace = new ArrayList<>();
    private final List<Retiring> retiring = new ArrayList<>();
    private final List<Endpoint> retireNow = new ArrayList<>();
    private Map<String, Backend> backends;
    private Router router;
    private boolean committed;

    private Plan(GatewayConfig next) {
      this.next = next;
    }

    public Router router() {
      return router;
    }

    /**
     * Applies the in-place changes and makes this snapshot the registry's current one (the caller then swaps
     * it into the request path). Returns what was taken out of service.
     */
    public Commit commit() {
      if (committed) {
        throw new IllegalStateException("already committed");
      }
      committed = true;
      inPlace.forEach(Runnable::run);
      RuntimeRegistry.this.backends = backends;
      RuntimeRegistry.this.router = router;
      RuntimeRegistry.this.config = next;
      return new Commit(List.copyOf(retiring), List.copyOf(retireNow));
    }
  }

  /**
   * What a committed reload took out of service.
   *
   * @param retiring backends and endpoints to close once drained
   * @param retireNow endpoints whose connection settings changed: their pools retire at once (connections in
   *     use close when their request ends)
   */
  public record Commit(List<Retiring> retiring, List<Endpoint> retireNow) {}

  private static List<Route.Tier> tiers(RouteConfig route, Map<String, Backend> backends) {
    return route.tiers().stream()
        .map(t -> new Route.Tier(backends.get(t.backend()), t.model(), t.overflow())).toList();
  }

  private RouteAdmission admission(RouteConfig route, GatewayConfig next, Route current, Plan plan) {
    AdmissionConfig admission = route.admission();
    if (admission == null) {
      return null;
    }
    TenantResolver tenants = TenantResolver.of(admission, next);
    RouteAdmission before = current == null ? null : current.admission();
    if (before == null) {
      return new RouteAdmission(admission, tenants, RouteRateLimiter.of(route.name(), admission, next, stores, ticker));
    }
    // The route's shared buckets take their new settings on commit: requests on the old snapshot use them too.
    return new RouteAdmission(admission, tenants, before.limiter().reconfigured(admission, next, plan.inPlace::add));
  }

  private RouteRetries retries(RetryConfig retry, Route current) {
    if (retry.maxAttempts() <= 1) {
      return null;
    }
    RouteRetries before = current == null ? null : current.retries();
    RetryConfig old = current == null ? null : current.config().retry();
    if (before != null && old.budgetRatio() == retry.budgetRatio()
        && old.minRetriesPerSecond() == retry.minRetriesPerSecond()) {
      return new RouteRetries(new RetryPolicy(retry), before.budget());
    }
    return RouteRetries.of(retry, ticker);
  }

  private Backend reconfigured(Backend current, BackendConfig next, Plan plan) {
    BackendConfig before = current.config();
    if (before.equals(next)) {
      return current;
    }
    EngineSignalConfig engineBefore = before.concurrency() == null ? null : before.concurrency().engineSignal();
    EngineSignalConfig engine = next.concurrency() == null ? null : next.concurrency().engineSignal();
    EndpointGroup group = current.endpointGroup();
    EngineSignals signals = current.engineSignals();
    boolean regroup = !before.endpointConfigs().equals(next.endpointConfigs())
        || !before.resilience().equals(next.resilience()) || !Objects.equals(engineBefore, engine);
    if (regroup) {
      group = EndpointGroup.reconfigured(group, next.endpointConfigs(), next.resilience(), ticker, events);
      signals = engine == null ? null : new EngineSignals(group.endpoints(), engine, ticker);
      if (signals != null) {
        group.preferEngineSignals(signals);
      }
      List<Endpoint> removed = new ArrayList<>();
      List<EndpointState> removedStates = new ArrayList<>();
      for (EndpointState s : current.endpointGroup().states()) {
        if (group.stateOf(s.endpoint().address()) == null) {
          removed.add(s.endpoint());
          removedStates.add(s);
        }
      }
      if (!removed.isEmpty()) {
        plan.retiring.add(new Retiring("endpoints " + removed + " of backend " + next.name(),
            () -> removedStates.stream().allMatch(s -> s.outstanding() == 0), removed));
      }
    }
    UpstreamTls tls = current.tls();
    if (!before.connectTimeout().equals(next.connectTimeout()) || !before.pool().equals(next.pool())
        || !before.tls().equals(next.tls())) {
      tls = UpstreamTls.of(next);
      for (EndpointState s : group.states()) {
        plan.retireNow.add(s.endpoint());
      }
    }
    BackendAdmission admission = current.admission();
    if (next.concurrency() == null) {
      admission = null;
    } else if (admission == null) {
      admission = new BackendAdmission(next.concurrency(), next.waitingRoom(), ticker, signals);
    } else if (!next.concurrency().equals(before.concurrency()) || !next.waitingRoom().equals(before.waitingRoom())
        || signals != current.engineSignals()) {
      BackendAdmission live = admission;
      EngineSignals load = signals;
      plan.inPlace.add(() -> live.reconfigure(next.concurrency(), next.waitingRoom(), load));
    }
    return new Backend(next, group, admission, signals, tls);
  }

  private static Retiring retiringBackend(Backend backend) {
    BackendAdmission admission = backend.admission();
    List<EndpointState> states = backend.endpointGroup().states();
    return new Retiring("backend " + backend.name(),
        () -> (admission == null || admission.inFlight() == 0 && admission.queued() == 0)
            && states.stream().allMatch(s -> s.outstanding() == 0),
        backend.endpoints());
  }
}
