package dev.spillway.server.statuspage;

import dev.spillway.server.config.PublicComponentConfig;
import dev.spillway.server.config.PublicPageConfig;
import dev.spillway.server.status.ComponentState;
import dev.spillway.server.status.ComponentStatus;
import dev.spillway.server.status.IncidentView;
import dev.spillway.server.status.StatusSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The public status page's state: turns each {@link StatusSnapshot} into a {@link PublicModel} (components from
 * their routes' states, incidents in plain words) and keeps it rendered. Nothing internal gets through: route,
 * backend and endpoint names, hosts and the tracker's own event texts stay out; automatic incidents are told
 * in fixed sentences, operators' updates in their words. A reload that adds or removes routes or backends is
 * followed ({@link #follow}): without configured components, the components are the routes of the moment.
 * {@link #update} and {@link #follow} run on the monitor thread (or under its lock); the getters are safe from
 * any thread.
 */
public final class PublicStatusPage {
  /** How the tracker names the condition of a route's maintenance control ({@code maintenance <route>}). */
  private static final String MAINTENANCE_CONTROL = "maintenance ";

  private final PublicPageConfig config;
  private volatile List<PublicComponentConfig> components;
  /** Per backend, the routes it serves (any failover tier): a backend's incident concerns their components. */
  private volatile Map<String, Set<String>> routesOfBackend;
  /** Per component id, its last status and since when. */
  private final Map<String, Since> lastStatus = new HashMap<>();
  private volatile Rendered rendered;

  /**
   * @param routes every route name, in order (the default components when none are configured)
   * @param routesOfBackend per backend name, the routes it serves
   */
  public PublicStatusPage(PublicPageConfig config, List<String> routes, Map<String, Set<String>> routesOfBackend) {
    this.config = config;
    follow(routes, routesOfBackend);
  }

  /**
   * Follows the routing after a reload: the components (one per route when none are configured; configured
   * ones stay as they are, since changing them needs a restart) and which routes each backend serves. Applied
   * at the next {@link #update}.
   */
  public void follow(List<String> routes, Map<String, Set<String>> routesOfBackend) {
    this.components = config.components().isEmpty()
        ? routes.stream().map(r -> new PublicComponentConfig(r, null, List.of(r))).toList() : config.components();
    this.routesOfBackend = Map.copyOf(routesOfBackend);
  }

  public PublicPageConfig config() {
    return config;
  }

  /** The component names operators may name when opening an incident. */
  public List<String> componentNames() {
    return components.stream().map(PublicComponentConfig::name).toList();
  }

  /**
   * Recomputes the page from {@code snapshot} and the routes an operator put in maintenance: a component whose
   * routes are in maintenance (and whose other routes are fine) reads {@code under_maintenance}, and each such
   * maintenance is listed with the operator's text. The tracker's own condition for the control stays off the
   * page (the maintenance says it).
   *
   * @param maintenance per route in maintenance, the operator's text and since when
   */
  public void update(StatusSnapshot snapshot, Map<String, RouteMaintenance> maintenance) {
    Map<String, ComponentState> routeStates = new HashMap<>();
    for (ComponentStatus c : snapshot.components()) {
      if (c.kind().equals("route")) {
        routeStates.put(c.name(), c.state());
      }
    }
    Instant now = snapshot.at();
    List<PublicComponentConfig> components = this.components;
    List<PublicModel.Component> out = new ArrayList<>();
    Map<String, PublicModel.Component> byName = new LinkedHashMap<>();
    for (int i = 0; i < components.size(); i++) {
      PublicComponentConfig c = components.get(i);
      String status = Words.worse(status(c, routeStates, maintenance), manualImpact(c.name(),
          snapshot.incidents()));
      String id = Words.slug(c.name(), i);
      Since last = lastStatus.get(id);
      if (last == null || !last.status().equals(status)) {
        last = new Since(status, now);
        lastStatus.put(id, last);
      }
      PublicModel.Component component = new PublicModel.Component(id, c.name(), c.description(), status,
          last.at(), i + 1);
      out.add(component);
      byName.put(c.name(), component);
    }
    lastStatus.keySet().retainAll(out.stream().map(PublicModel.Component::id).toList());
    List<PublicModel.PublicIncident> incidents = new ArrayList<>();
    for (IncidentView i : snapshot.incidents()) {
      List<PublicModel.Component> affected = affected(i, components, byName);
      if (!affected.isEmpty()) {
        incidents.add(PublicIncidents.of(i, affected));
      }
    }
    List<PublicModel.Maintenance> maintenances = maintenances(components, byName, maintenance);
    String indicator = Words.indicator(out, incidents);
    PublicModel model = new PublicModel(config.title(), config.path().endsWith("/") ? config.path()
        : config.path() + "/", now, List.copyOf(out), List.copyOf(incidents), maintenances, indicator,
        Words.describe(indicator));
    rendered = new Rendered(model, PublicStatusJson.summary(model), PublicStatusJson.status(model),
        PublicStatusJson.components(model), PublicStatusJson.incidents(model, false),
        PublicStatusJson.incidents(model, true), PublicStatusJson.maintenances(model, true),
        PublicStatusJson.maintenances(model, false));
  }

  /** The latest page, or {@code null} before the first {@link #update}. */
  Rendered rendered() {
    return rendered;
  }

  /** A component's status and when it took it. */
  private record Since(String status, Instant at) {}

  /** What is served, rendered once per update. */
  record Rendered(PublicModel model, byte[] summary, byte[] status, byte[] components, byte[] incidents,
      byte[] unresolved, byte[] maintenances, byte[] upcoming) {}

  /**
   * A component's status from its routes' states: the routes in maintenance are left out of the count; when
   * some are in maintenance and the rest are operational, the component is under maintenance.
   */
  private static String status(PublicComponentConfig c, Map<String, ComponentState> routeStates,
      Map<String, RouteMaintenance> maintenance) {
    int outages = 0;
    int counted = 0;
    boolean degraded = false;
    for (String route : c.routes()) {
      if (maintenance.containsKey(route)) {
        continue;
      }
      counted++;
      ComponentState s = routeStates.getOrDefault(route, ComponentState.OPERATIONAL);
      if (s == ComponentState.OUTAGE) {
        outages++;
      } else if (s != ComponentState.OPERATIONAL) {
        degraded = true;
      }
    }
    if (outages > 0) {
      return outages == counted ? Words.MAJOR_OUTAGE : Words.PARTIAL_OUTAGE;
    }
    if (degraded) {
      return Words.DEGRADED;
    }
    return counted < c.routes().size() ? Words.UNDER_MAINTENANCE : Words.OPERATIONAL;
  }

  /** One entry per route in maintenance that some component shows, oldest first; the text is the operator's. */
  private static List<PublicModel.Maintenance> maintenances(List<PublicComponentConfig> components,
      Map<String, PublicModel.Component> byName, Map<String, RouteMaintenance> maintenance) {
    List<Map.Entry<String, RouteMaintenance>> routes = new ArrayList<>(maintenance.entrySet());
    routes.sort(Map.Entry.comparingByValue(java.util.Comparator.comparing(RouteMaintenance::since)));
    List<PublicModel.Maintenance> out = new ArrayList<>();
    for (Map.Entry<String, RouteMaintenance> e : routes) {
      List<PublicModel.Component> affected = new ArrayList<>();
      for (PublicComponentConfig c : components) {
        if (c.routes().contains(e.getKey())) {
          affected.add(byName.get(c.name()));
        }
      }
      if (affected.isEmpty()) {
        continue; // a route no public component shows stays internal
      }
      String names = affected.stream().map(PublicModel.Component::name)
          .collect(java.util.stream.Collectors.joining(", "));
      String id = "maintenance-" + Words.slug(names, 0) + "-" + e.getValue().since().toEpochMilli();
      out.add(new PublicModel.Maintenance(id, names + " under maintenance", e.getValue().message(),
          e.getValue().since(), List.copyOf(affected)));
    }
    return List.copyOf(out);
  }

  /** The status an operator's open incident on {@code name} implies by its impact. */
  private static String manualImpact(String name, List<IncidentView> incidents) {
    String status = Words.OPERATIONAL;
    for (IncidentView i : incidents) {
      if (i.manual() && i.open() && i.components().contains(name)) {
        status = Words.worse(status, Words.statusOf(i.impact()));
      }
    }
    return status;
  }

  /** The public components an incident concerns: by route, by the routes a backend serves, or all. */
  private List<PublicModel.Component> affected(IncidentView incident, List<PublicComponentConfig> components,
      Map<String, PublicModel.Component> byName) {
    if (incident.manual()) {
      return incident.components().stream().map(byName::get).filter(c -> c != null).toList();
    }
    List<PublicModel.Component> out = new ArrayList<>();
    for (String internal : incident.components()) {
      Set<String> routes;
      if (internal.startsWith(MAINTENANCE_CONTROL)) {
        continue; // shown as a maintenance, in the operator's words
      }
      if (internal.startsWith("route ")) {
        routes = Set.of(internal.substring("route ".length()));
      } else if (internal.startsWith("backend ")) {
        routes = this.routesOfBackend.getOrDefault(internal.substring("backend ".length()), Set.of());
      } else { // the gateway itself: everything
        routes = null;
      }
      for (PublicComponentConfig c : components) {
        PublicModel.Component pc = byName.get(c.name());
        if ((routes == null || c.routes().stream().anyMatch(routes::contains)) && !out.contains(pc)) {
          out.add(pc);
        }
      }
    }
    return out;
  }
}
