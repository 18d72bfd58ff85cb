package dev.spillway.server.status;

import dev.spillway.core.admission.concurrency.BackendAdmission;
import dev.spillway.core.observe.ExchangeRecord;
import dev.spillway.core.overload.OverloadManager;
import dev.spillway.core.routing.Route;
import dev.spillway.core.routing.Router;
import dev.spillway.core.time.Ticker;
import dev.spillway.core.upstream.Backend;
import dev.spillway.server.config.StatusConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The live state of every route and backend, derived from finished requests: per component a 15-minute
 * {@link Timeline}, once a second an {@link Assessment} by {@link StateRules}, and the incidents those states
 * (plus readiness and resilience events) open and resolve.
 *
 * <p>{@link #onRecord} and {@link #tick} run on the monitor thread only; {@link #onResilienceEvent} may be
 * called from any thread; {@link #snapshot} is safe to read from any thread.
 */
public final class StatusTracker {
  /** 15 minutes of one-second buckets. */
  public static final int HISTORY_SECONDS = 900;

  private final Ticker ticker;
  private final long originNanos;
  private final StateRules rules;
  private final Readiness readiness;
  private final WallClock wall;
  private final IncidentTracker incidents;
  private final Timeline global;
  private final Map<String, Timeline> routes = new LinkedHashMap<>();
  private final Map<String, Timeline> backends = new LinkedHashMap<>();
  private final Map<String, Backend> liveBackends = new LinkedHashMap<>();
  /** Per route, requests that overflowed to a later failover tier since the gateway started. */
  private final Map<String, long[]> overflowed = new LinkedHashMap<>();
  private final ConcurrentLinkedQueue<ResilienceEvent> events = new ConcurrentLinkedQueue<>();
  private final Map<String, ResilienceEvent> openEvents = new LinkedHashMap<>();
  private long second;
  private volatile StatusSnapshot snapshot;
  /** The gateway's overload manager, shown as component {@code gateway/overload}; {@code null} until watched. */
  private volatile OverloadManager overload;

  public StatusTracker(StatusConfig config, Router router, Readiness readiness, Ticker ticker, WallClock wall,
      IncidentListener listener) {
    this.ticker = ticker;
    this.originNanos = ticker.nanoTime();
    this.rules = new StateRules(config);
    this.readiness = readiness;
    this.wall = wall;
    this.incidents = new IncidentTracker(config, wall, listener);
    this.global = new Timeline(HISTORY_SECONDS, 0);
    for (Route route : router.routes()) {
      routes.put(route.name(), new Timeline(HISTORY_SECONDS, 0));
      overflowed.put(route.name(), new long[1]);
      for (Route.Tier tier : route.tiers()) { // every tier's backend has its own limit to show
        Backend b = tier.backend();
        if (b != null && !liveBackends.containsKey(b.name())) {
          liveBackends.put(b.name(), b);
          backends.put(b.name(), new Timeline(HISTORY_SECONDS, 0));
        }
      }
    }
    this.snapshot = evaluate(originNanos, List.of());
  }

  /**
   * Follows a reloaded config: every route and every backend of every failover tier is tracked, by name, so a
   * kept one keeps its history; added ones start empty and removed ones are forgotten. Call {@link
   * #followRouter} with the new snapshot too (it supplies the live backends). Not concurrently with
   * {@link #tick} or {@link #onRecord}.
   */
  public void configure(dev.spillway.core.config.GatewayConfig config) {
    java.util.Set<String> routeNames = new java.util.LinkedHashSet<>();
    java.util.Set<String> backendNames = new java.util.LinkedHashSet<>();
    for (dev.spillway.core.config.RouteConfig route : config.routes()) {
      routeNames.add(route.name());
      route.tiers().forEach(t -> backendNames.add(t.backend()));
    }
    routes.keySet().retainAll(routeNames);
    overflowed.keySet().retainAll(routeNames);
    for (String name : routeNames) {
      routes.computeIfAbsent(name, n -> new Timeline(HISTORY_SECONDS, second));
      overflowed.computeIfAbsent(name, n -> new long[1]);
    }
    backends.keySet().retainAll(backendNames);
    for (String name : backendNames) {
      if (liveBackends.containsKey(name)) {
        backends.computeIfAbsent(name, n -> new Timeline(HISTORY_SECONDS, second));
      }
    }
  }

  /** The live backends of {@code router} (a reloaded snapshot), by name; call before {@link #configure}. */
  public void followRouter(Router router) {
    liveBackends.clear();
    for (Route route : router.routes()) {
      for (Route.Tier tier : route.tiers()) {
        Backend b = tier.backend();
        if (b != null) {
          liveBackends.putIfAbsent(b.name(), b);
        }
      }
    }
  }

  /** Shows {@code overload} as the component {@code gateway/overload} from the next tick on. */
  public void watchOverload(OverloadManager overload) {
    this.overload = overload;
  }

  /** Counts one finished request. */
  public void onRecord(ExchangeRecord r) {
    RecordKind kind = RecordKind.of(r);
    global.record(r, kind);
    Timeline route = r.route() == null ? null : routes.get(r.route());
    if (route != null) {
      route.record(r, kind);
      if (r.overflowFrom() != null) {
        overflowed.get(r.route())[0]++;
      }
    }
    Timeline backend = r.backend() == null ? null : backends.get(r.backend());
    if (backend != null) {
      backend.record(r, kind);
    }
  }

  /** Takes a resilience change (any thread); it is applied at the next tick. */
  public void onResilienceEvent(ResilienceEvent event) {
    events.add(event);
  }

  /**
   * Samples the waiting rooms and, once a second has passed, closes it: re-assesses every component, updates
   * the incidents and publishes a new {@link #snapshot}.
   */
  public void tick() {
    long now = ticker.nanoTime();
    int totalQueued = 0;
    for (Map.Entry<String, Backend> e : liveBackends.entrySet()) {
      BackendAdmission admission = e.getValue().admission();
      if (admission != null) {
        int q = admission.queued();
        backends.get(e.getKey()).sampleQueue(q);
        totalQueued += q;
      }
    }
    global.sampleQueue(totalQueued);
    long nowSecond = (now - originNanos) / 1_000_000_000L;
    if (nowSecond - second <= 0) {
      return;
    }
    second = nowSecond;
    global.roll(nowSecond);
    routes.values().forEach(t -> t.roll(nowSecond));
    backends.values().forEach(t -> t.roll(nowSecond));
    ResilienceEvent event;
    while ((event = events.poll()) != null) {
      if (event.type().opens()) {
        openEvents.put(event.key(), event);
      } else {
        openEvents.remove(event.key());
      }
    }
    List<Signal> signals = new ArrayList<>();
    snapshot = evaluate(now, signals);
    incidents.update(now, signals);
    snapshot = new StatusSnapshot(snapshot.at(), snapshot.notReadyReason(), snapshot.overall(),
        snapshot.components(), incidents.incidents(now), snapshot.series());
  }

  /** The latest state, incidents and chart data. */
  public StatusSnapshot snapshot() {
    return snapshot;
  }

  /** Incidents open now. */
  public int openIncidents() {
    return incidents.openCount();
  }

  private StatusSnapshot evaluate(long now, List<Signal> signals) {
    int window = rules.windowSeconds();
    List<ComponentStatus> components = new ArrayList<>();
    ComponentState overall = ComponentState.OPERATIONAL;
    for (Map.Entry<String, Timeline> e : routes.entrySet()) {
      Assessment a = rules.assess(e.getValue().window(window), 0, -1);
      components.add(new ComponentStatus("route", e.getKey(), a, -1, -1, -1, -1, overflowed.get(e.getKey())[0]));
      signal(signals, "route " + e.getKey(), a, e.getValue());
      overall = worse(overall, a.state());
    }
    for (Map.Entry<String, Timeline> e : backends.entrySet()) {
      Backend backend = liveBackends.get(e.getKey());
      BackendAdmission admission = backend.admission();
      int maxQueue = admission == null ? 0 : backend.config().waitingRoom().maxQueue();
      Assessment a = rules.assess(e.getValue().window(window), maxQueue, backend.endpoints().size());
      components.add(admission == null
          ? new ComponentStatus("backend", e.getKey(), a, -1, -1, -1, -1)
          : new ComponentStatus("backend", e.getKey(), a, admission.limit(), admission.inFlight(),
              admission.queued(), maxQueue));
      signal(signals, "backend " + e.getKey(), a, e.getValue());
      overall = worse(overall, a.state());
    }
    OverloadManager watched = overload;
    if (watched != null) {
      Assessment a = OverloadAssessment.of(watched);
      components.add(new ComponentStatus("gateway", "overload", a, -1, -1, -1, -1));
      if (a.state() == ComponentState.AT_CAPACITY) {
        signals.add(new Signal("shedding:gateway overload", Signal.Kind.SHEDDING, "gateway overload", a.reason(), 0));
      }
      overall = worse(overall, a.state());
    }
    String notReady = readiness.notReadyReason();
    if (notReady != null) {
      signals.add(new Signal("not_ready", Signal.Kind.NOT_READY, "gateway", notReady, 0));
      overall = ComponentState.OUTAGE;
    }
    for (ResilienceEvent e : openEvents.values()) {
      signals.add(new Signal(e.key(), e.type().kind(), e.component(), e.detail(), 0));
    }
    return new StatusSnapshot(wall.at(now), notReady, overall, List.copyOf(components), snapshot == null
        ? List.of() : snapshot.incidents(), global.series(HISTORY_SECONDS));
  }

  /** Shedding and outages become incident conditions; the other states only show on the page. */
  private static void signal(List<Signal> signals, String component, Assessment a, Timeline timeline) {
    if (a.state() == ComponentState.AT_CAPACITY) {
      long lastSecond = timeline.window(1).shed();
      signals.add(new Signal("shedding:" + component, Signal.Kind.SHEDDING, component, a.reason(), lastSecond));
    } else if (a.state() == ComponentState.OUTAGE) {
      signals.add(new Signal("outage:" + component, Signal.Kind.OUTAGE, component, a.reason(), 0));
    }
  }

  private static ComponentState worse(ComponentState a, ComponentState b) {
    return b.severity() > a.severity() ? b : a;
  }
}
