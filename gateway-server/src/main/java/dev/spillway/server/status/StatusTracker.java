package dev.spillway.server.status;

import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.config.RouteConfig;
import dev.spillway.core.observe.ExchangeRecord;
import dev.spillway.core.observe.RequestResult;
import dev.spillway.core.overload.OverloadManager;
import dev.spillway.core.routing.Route;
import dev.spillway.core.routing.Router;
import dev.spillway.core.time.Ticker;
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
 * (plus readiness and resilience events) open and resolve. It drives the second and publishes the snapshot;
 * the routes and backends are kept by {@link ComponentTracks}, the {@code gateway/*} components by
 * {@link GatewayComponents}, the incidents by {@link IncidentTracker}.
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
  private final Readiness readiness;
  private final WallClock wall;
  private final IncidentTracker incidents;
  private final Timeline global;
  private final ComponentTracks tracks;
  private final GatewayComponents gateway = new GatewayComponents();
  /** Routes of the configuration {@link #configure} was last given, until the next tick applies them. */
  private final AtomicReference<List<RouteConfig>> pending = new AtomicReference<>();
  private final ConcurrentLinkedQueue<ResilienceEvent> events = new ConcurrentLinkedQueue<>();
  private final Map<String, ResilienceEvent> openEvents = new LinkedHashMap<>();
  private long second;
  private volatile StatusSnapshot snapshot;

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
    this.readiness = readiness;
    this.wall = wall;
    this.tracks = new ComponentTracks(router, new StateRules(config));
    this.incidents = new IncidentTracker(config, wall, listener);
    this.global = new Timeline(HISTORY_SECONDS, 0);
    tracks.apply(initial, second);
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
    gateway.watchOverload(overload);
  }

  /**
   * Shows a component {@code gateway/<name>} from the next tick on, in the state {@code assessment} gives once a
   * second (on the monitor thread).
   */
  public void watch(String name, Supplier<Assessment> assessment) {
    gateway.watch(name, assessment);
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
    tracks.record(r, result);
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
      tracks.apply(next, second);
    }
    long now = ticker.nanoTime();
    int totalQueued = tracks.sample();
    global.sampleQueue(totalQueued);
    long nowSecond = (now - originNanos) / 1_000_000_000L;
    boolean newSecond = nowSecond - second > 0;
    if (!newSecond && next == null) {
      return;
    }
    if (newSecond) {
      second = nowSecond;
      global.roll(nowSecond);
      tracks.roll(nowSecond);
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

  /** Assesses every component and gathers the incident conditions into {@code signals}. */
  private StatusSnapshot evaluate(long now, List<Signal> signals) {
    List<ComponentStatus> components = new ArrayList<>();
    ComponentState overall = tracks.assess(components, signals);
    overall = ComponentTracks.worse(overall, gateway.assess(components, signals));
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
}
