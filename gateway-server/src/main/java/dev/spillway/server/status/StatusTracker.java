package dev.spillway.server.status;

import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.admission.concurrency.BackendAdmission;
import dev.spillway.core.attempt.AttemptOutcome;
import dev.spillway.core.config.FailoverTierConfig;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.config.RouteConfig;
import dev.spillway.core.observe.ExchangeRecord;
import dev.spillway.core.observe.RequestResult;
import dev.spillway.core.overload.OverloadManager;
import dev.spillway.core.routing.Route;
import dev.spillway.core.routing.Router;
import dev.spillway.core.time.Ticker;
import dev.spillway.core.upstream.Backend;
import dev.spillway.core.upstream.resilience.EndpointState;
import dev.spillway.server.config.StatusConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The live state of every route and of every backend a route can use (its primary and each fallback), derived
 * from finished requests and from every attempt on the backends' endpoints: per component a 15-minute
 * {@link Timeline}, once a second an {@link Assessment} by {@link StateRules}, and the incidents those states
 * (plus readiness and resilience events) open and resolve.
 *
 * <p>{@link #onRecord} and {@link #tick} run on the monitor thread only; {@link #configure} and
 * {@link #onResilienceEvent} may be called from any thread (both take effect at the next tick);
 * {@link #snapshot} is safe to read from any thread.
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
  private final Supplier<Router> router;
  private Map<String, RouteTrack> routes = new LinkedHashMap<>();
  private Map<String, BackendTrack> backends = new LinkedHashMap<>();
  /** Routes of the configuration {@link #configure} was last given, until the next tick applies them. */
  private final AtomicReference<List<RouteConfig>> pending = new AtomicReference<>();
  private final ConcurrentLinkedQueue<ResilienceEvent> events = new ConcurrentLinkedQueue<>();
  private final Map<String, ResilienceEvent> openEvents = new LinkedHashMap<>();
  private long second;
  private volatile StatusSnapshot snapshot;
  /** The gateway's overload manager, shown as component {@code gateway/overload}; {@code null} until watched. */
  private volatile OverloadManager overload;
  /** Components of kind {@code gateway} assessed by their owners (e.g. the limiter store), by name. */
  private final Map<String, Supplier<Assessment>> assessed = new java.util.concurrent.ConcurrentSkipListMap<>();

  /** Tracks the routes of {@code router}, a fixed routing snapshot. */
  public StatusTracker(StatusConfig config, Router router, Readiness readiness, Ticker ticker, WallClock wall,
      IncidentListener listener) {
    this(config, () -> router, router.routes().stream().map(Route::config).toList(), readiness, ticker, wall,
        listener);
  }

  /**
   * Tracks the routes of {@code initial}, reading live backends (limits, waiting rooms, endpoints) from
   * whatever {@code router} returns at each tick, so a gateway reconfigured in place is followed.
   */
  public StatusTracker(StatusConfig config, Supplier<Router> router, GatewayConfig initial, Readiness readiness,
      Ticker ticker, WallClock wall, IncidentListener listener) {
    this(config, router, initial.routes(), readiness, ticker, wall, listener);
  }

  private StatusTracker(StatusConfig config, Supplier<Router> router, List<RouteConfig> initial,
      Readiness readiness, Ticker ticker, WallClock wall, IncidentListener listener) {
    this.ticker = ticker;
    this.originNanos = ticker.nanoTime();
    this.rules = new StateRules(config);
    this.readiness = readiness;
    this.wall = wall;
    this.router = router;
    this.incidents = new IncidentTracker(config, wall, listener);
    this.global = new Timeline(HISTORY_SECONDS, 0);
    apply(initial);
    this.snapshot = evaluate(originNanos, new ArrayList<>()); // the first look opens no incident
  }

  /**
   * Follows a new configuration: tracks every route and every backend of each route's failover list (primary
   * and fallbacks), keeps the history of those whose names stay, and forgets those removed. Idempotent; any
   * thread; applied at the next {@link #tick}.
   */
  public void configure(GatewayConfig config) {
    pending.set(List.copyOf(config.routes()));
  }

  /** Shows {@code overload} as the component {@code gateway/overload} from the next tick on. */
  public void watchOverload(OverloadManager overload) {
    this.overload = overload;
  }

  /**
   * Shows a component {@code gateway/<name>} from the next tick on, in the state {@code assessment} gives once a
   * second (on the monitor thread).
   */
  public void watch(String name, Supplier<Assessment> assessment) {
    assessed.put(name, assessment);
  }

  /**
   * Counts one finished request. A request a route in maintenance turned away counts for the gateway as a
   * whole but not for its route or backend: an operator's maintenance is no capacity shedding, so it neither
   * marks them at capacity nor opens a shedding incident (the control in force is its own condition).
   */
  public void onRecord(ExchangeRecord r) {
    RequestResult result = RequestResult.of(r);
    global.record(r, result);
    if (r.shedReason() == ShedReason.MAINTENANCE) {
      return;
    }
    RouteTrack route = r.route() == null ? null : routes.get(r.route());
    if (route != null) {
      route.timeline.record(r, result);
      if (r.overflowFrom() != null) {
        route.overflowed++;
      }
      if (r.tier() > 0 && r.backend() != null) {
        route.lastFallback = r.backend();
      }
    }
    BackendTrack backend = r.backend() == null ? null : backends.get(r.backend());
    if (backend != null) {
      backend.timeline.record(r, result);
    }
  }

  /** Takes a resilience change (any thread); it is applied at the next tick. */
  public void onResilienceEvent(ResilienceEvent event) {
    events.add(event);
  }

  /**
   * Samples the waiting rooms and, once a second has passed, closes it: re-assesses every component, updates
   * the incidents and publishes a new {@link #snapshot}. A configuration given to {@link #configure} is applied
   * and assessed at once, so the components a reload added or removed show without waiting for the second.
   */
  public void tick() {
    List<RouteConfig> next = pending.getAndSet(null);
    if (next != null) {
      apply(next);
    }
    long now = ticker.nanoTime();
    Map<String, Backend> live = liveBackends();
    int totalQueued = 0;
    for (Map.Entry<String, BackendTrack> e : backends.entrySet()) {
      BackendTrack track = e.getValue();
      track.follow(live.get(e.getKey()));
      totalQueued += track.sample();
    }
    global.sampleQueue(totalQueued);
    long nowSecond = (now - originNanos) / 1_000_000_000L;
    boolean newSecond = nowSecond - second > 0;
    if (!newSecond && next == null) {
      return;
    }
    if (newSecond) {
      second = nowSecond;
      global.roll(nowSecond);
      routes.values().forEach(t -> t.timeline.roll(nowSecond));
      backends.values().forEach(t -> t.timeline.roll(nowSecond));
    }
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

  /**
   * Opens an incident an operator reports; see {@link IncidentTracker#openManual}. Call it on the monitor
   * thread or under the same lock as {@link #tick}.
   */
  public IncidentView openManualIncident(String title, List<String> components, IncidentImpact impact,
      IncidentPhase phase, String text) {
    long now = ticker.nanoTime();
    IncidentView view = incidents.openManual(now, title, components, impact, phase, text);
    refreshIncidents(now);
    return view;
  }

  /**
   * Adds an operator's update to an incident; see {@link IncidentTracker#postUpdate}. Same threading as
   * {@link #openManualIncident}.
   */
  public IncidentView postIncidentUpdate(long id, IncidentPhase phase, String text) {
    long now = ticker.nanoTime();
    IncidentView view = incidents.postUpdate(now, id, phase, text);
    refreshIncidents(now);
    return view;
  }

  private void refreshIncidents(long now) {
    StatusSnapshot s = snapshot;
    snapshot = new StatusSnapshot(s.at(), s.notReadyReason(), s.overall(), s.components(), incidents.incidents(now),
        s.series());
  }

  /** Incidents open now. */
  public int openIncidents() {
    return incidents.openCount();
  }

  private StatusSnapshot evaluate(long now, List<Signal> signals) {
    int window = rules.windowSeconds();
    int recent = rules.recentSeconds();
    List<ComponentStatus> components = new ArrayList<>();
    ComponentState overall = ComponentState.OPERATIONAL;
    for (Map.Entry<String, RouteTrack> e : routes.entrySet()) {
      RouteTrack route = e.getValue();
      Assessment a = rules.assess(route.timeline.window(recent), route.timeline.window(window), 0,
          EndpointAvailability.NOT_APPLICABLE, route.lastFallback);
      String fallback = a.reason().startsWith("served by fallback ") ? route.lastFallback : null;
      components.add(new ComponentStatus("route", e.getKey(), a, -1, -1, -1, -1, route.overflowed, fallback,
          EndpointAvailability.NOT_APPLICABLE));
      signal(signals, "route " + e.getKey(), a, route.timeline);
      overall = worse(overall, a.state());
    }
    for (Map.Entry<String, BackendTrack> e : backends.entrySet()) {
      BackendTrack track = e.getValue();
      Backend backend = track.live;
      BackendAdmission admission = backend == null ? null : backend.admission();
      int maxQueue = admission == null ? 0 : backend.config().waitingRoom().maxQueue();
      EndpointAvailability endpoints = backend == null ? EndpointAvailability.NOT_APPLICABLE
          : EndpointAvailability.of(backend.endpointGroup());
      Assessment a = rules.assess(track.timeline.window(recent), track.timeline.window(window), maxQueue,
          endpoints, null);
      components.add(admission == null
          ? new ComponentStatus("backend", e.getKey(), a, -1, -1, -1, -1, 0, null, endpoints)
          : new ComponentStatus("backend", e.getKey(), a, admission.limit(), admission.inFlight(),
              admission.queued(), maxQueue, 0, null, endpoints));
      signal(signals, "backend " + e.getKey(), a, track.timeline);
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
    for (Map.Entry<String, Supplier<Assessment>> e : assessed.entrySet()) {
      Assessment a = e.getValue().get();
      components.add(new ComponentStatus("gateway", e.getKey(), a, -1, -1, -1, -1));
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

  /** Rebuilds the tracked components from {@code routeConfigs}, keeping what is kept by name. */
  private void apply(List<RouteConfig> routeConfigs) {
    Map<String, Backend> live = liveBackends();
    Map<String, RouteTrack> nextRoutes = new LinkedHashMap<>();
    Map<String, BackendTrack> nextBackends = new LinkedHashMap<>();
    for (RouteConfig route : routeConfigs) {
      RouteTrack kept = routes.get(route.name());
      nextRoutes.put(route.name(), kept != null ? kept : new RouteTrack(new Timeline(HISTORY_SECONDS, second)));
      for (FailoverTierConfig tier : route.tiers()) { // the primary and every fallback
        String name = tier.backend();
        if (!nextBackends.containsKey(name)) {
          BackendTrack track = backends.get(name);
          if (track == null) {
            track = new BackendTrack(new Timeline(HISTORY_SECONDS, second, true));
          }
          track.follow(live.get(name));
          nextBackends.put(name, track);
        }
      }
    }
    routes = nextRoutes;
    backends = nextBackends;
  }

  /** The live backends by name, from every route's failover list. */
  private Map<String, Backend> liveBackends() {
    Map<String, Backend> out = new LinkedHashMap<>();
    Router r = router.get();
    if (r != null) {
      for (Route route : r.routes()) {
        for (Route.Tier tier : route.tiers()) {
          if (tier.backend() != null) {
            out.putIfAbsent(tier.backend().name(), tier.backend());
          }
        }
      }
    }
    return out;
  }

  /** One route's history, overflow count and the fallback that last answered it. */
  private static final class RouteTrack {
    final Timeline timeline;
    long overflowed;
    String lastFallback;

    RouteTrack(Timeline timeline) {
      this.timeline = timeline;
    }
  }

  /**
   * One backend's history and the live object it reads: waiting room depth, and the attempt counters of its
   * endpoints, whose growth since the last tick becomes the backend's served and failed counts.
   */
  private static final class BackendTrack {
    final Timeline timeline;
    Backend live;
    long lastServed;
    long lastFailed;

    BackendTrack(Timeline timeline) {
      this.timeline = timeline;
    }

    /** Reads {@code backend} from now on; a new object starts counting from its current totals. */
    void follow(Backend backend) {
      if (backend != live) {
        live = backend;
        long[] totals = totals();
        lastServed = totals[0];
        lastFailed = totals[1];
      }
    }

    /** Adds the attempts made since the last call and samples the waiting room; returns its depth. */
    int sample() {
      if (live == null) {
        return 0;
      }
      long[] totals = totals();
      // Counters only grow; a smaller total means other endpoint objects (a reload), so count from there.
      long served = totals[0] - lastServed;
      long failed = totals[1] - lastFailed;
      timeline.addAttempts(Math.max(0, served), Math.max(0, failed));
      lastServed = totals[0];
      lastFailed = totals[1];
      BackendAdmission admission = live.admission();
      int q = admission == null ? 0 : admission.queued();
      timeline.sampleQueue(q);
      return q;
    }

    /** Attempts that ended well and at the endpoint's fault, over all endpoints. */
    private long[] totals() {
      long[] out = new long[2];
      if (live == null) {
        return out;
      }
      for (EndpointState endpoint : live.endpointGroup().states()) {
        for (AttemptOutcome outcome : AttemptOutcome.values()) {
          switch (outcome.endpointVerdict()) {
            case SUCCESS -> out[0] += endpoint.attempts(outcome);
            case FAILURE -> out[1] += endpoint.attempts(outcome);
            case NEUTRAL -> { }
          }
        }
      }
      return out;
    }
  }
}
