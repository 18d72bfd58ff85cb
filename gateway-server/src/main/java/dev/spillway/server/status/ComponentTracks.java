package dev.spillway.server.status;

import dev.spillway.core.admission.concurrency.BackendAdmission;
import dev.spillway.core.config.FailoverTierConfig;
import dev.spillway.core.config.RouteConfig;
import dev.spillway.core.observe.ExchangeRecord;
import dev.spillway.core.observe.RequestResult;
import dev.spillway.core.routing.Route;
import dev.spillway.core.routing.Router;
import dev.spillway.core.upstream.Backend;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The tracked routes and backends (each route's primary and every fallback): which exist, their
 * {@link Timeline}s, the live backends they read, and their assessment by {@link StateRules} into
 * {@link ComponentStatus}es and incident {@link Signal}s.
 *
 * <p>Monitor thread only: {@link StatusTracker} hands it configurations and records on that thread.
 */
final class ComponentTracks {
  private final Supplier<Router> router;
  private final StateRules rules;
  private Map<String, RouteTrack> routes = new LinkedHashMap<>();
  private Map<String, BackendTrack> backends = new LinkedHashMap<>();

  ComponentTracks(Supplier<Router> router, StateRules rules) {
    this.router = router;
    this.rules = rules;
  }

  /**
   * Rebuilds the tracked components from {@code routeConfigs}, keeping the history of those kept by name; new
   * ones start their timeline at {@code second}.
   */
  void apply(List<RouteConfig> routeConfigs, long second) {
    Map<String, Backend> live = liveBackends();
    Map<String, RouteTrack> nextRoutes = new LinkedHashMap<>();
    Map<String, BackendTrack> nextBackends = new LinkedHashMap<>();
    for (RouteConfig route : routeConfigs) {
      RouteTrack kept = routes.get(route.name());
      nextRoutes.put(route.name(), kept != null ? kept
          : new RouteTrack(new Timeline(StatusTracker.HISTORY_SECONDS, second)));
      for (FailoverTierConfig tier : route.tiers()) { // the primary and every fallback
        String name = tier.backend();
        if (!nextBackends.containsKey(name)) {
          BackendTrack track = backends.get(name);
          if (track == null) {
            track = new BackendTrack(new Timeline(StatusTracker.HISTORY_SECONDS, second, true));
          }
          track.follow(live.get(name));
          nextBackends.put(name, track);
        }
      }
    }
    routes = nextRoutes;
    backends = nextBackends;
  }

  /** Counts one finished request for its route and backend, where they are tracked. */
  void record(ExchangeRecord r, RequestResult result) {
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

  /**
   * Follows the backends the router has now (a reload may have replaced them) and samples each one's attempts
   * and waiting room; returns the requests waiting over all backends.
   */
  int sample() {
    Map<String, Backend> live = liveBackends();
    int totalQueued = 0;
    for (Map.Entry<String, BackendTrack> e : backends.entrySet()) {
      BackendTrack track = e.getValue();
      track.follow(live.get(e.getKey()));
      totalQueued += track.sample();
    }
    return totalQueued;
  }

  /** Closes the current second of every timeline. */
  void roll(long second) {
    routes.values().forEach(t -> t.timeline.roll(second));
    backends.values().forEach(t -> t.timeline.roll(second));
  }

  /**
   * Assesses every route, then every backend, adding a status per component to {@code components} and the
   * incident conditions they raise to {@code signals}; returns the worst state among them.
   */
  ComponentState assess(List<ComponentStatus> components, List<Signal> signals) {
    int window = rules.windowSeconds();
    int recent = rules.recentSeconds();
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
    return overall;
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

  /** The more severe of two states. */
  static ComponentState worse(ComponentState a, ComponentState b) {
    return b.severity() > a.severity() ? b : a;
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
}
