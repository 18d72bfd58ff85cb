package dev.spillway.server.status;

import dev.spillway.server.config.StatusConfig;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Opens, grows and resolves incidents from the conditions seen each tick. A condition that appears while an
 * incident is open and changed within {@code groupWindow} joins it (a backend outage and the shedding it
 * causes are one incident); otherwise it opens a new one. A condition ends once it has stayed absent for
 * {@code resolveAfter} (so a flapping condition does not open and close incidents every second), and its end
 * is the last time it was seen. An incident resolves when all its conditions have ended. At most
 * {@code maxIncidents} are kept. Monitor thread only; time comes from the caller's ticker readings.
 */
public final class IncidentTracker {
  private final long resolveAfterNanos;
  private final long groupWindowNanos;
  private final int maxIncidents;
  private final WallClock wall;
  private final IncidentListener listener;
  private final ArrayDeque<Incident> incidents = new ArrayDeque<>();
  /** The open incident each active (or ending) condition belongs to. */
  private final Map<String, Incident> byCondition = new HashMap<>();
  private long nextId = 1;

  public IncidentTracker(StatusConfig config, WallClock wall, IncidentListener listener) {
    this.resolveAfterNanos = config.resolveAfter().toNanos();
    this.groupWindowNanos = config.groupWindow().toNanos();
    this.maxIncidents = config.maxIncidents();
    this.wall = wall;
    this.listener = listener;
  }

  /** Takes this tick's conditions: starts, continues and ends them, then opens and resolves incidents. */
  public void update(long nowNanos, List<Signal> signals) {
    Map<String, Signal> seen = new HashMap<>();
    for (Signal s : signals) {
      seen.put(s.key(), s);
      Incident incident = byCondition.get(s.key());
      if (incident != null) {
        incident.conditions.get(s.key()).see(s, nowNanos);
        continue;
      }
      start(nowNanos, s);
    }
    List<Incident> resolved = new ArrayList<>();
    for (Map.Entry<String, Incident> e : new ArrayList<>(byCondition.entrySet())) {
      if (seen.containsKey(e.getKey())) {
        continue;
      }
      Incident incident = e.getValue();
      Incident.Condition c = incident.conditions.get(e.getKey());
      if (!c.ended && nowNanos - c.lastSeenNanos >= resolveAfterNanos) {
        c.ended = true;
        incident.event(c.lastSeenNanos, "ended: " + c.describe());
        byCondition.remove(e.getKey());
        if (incident.allEnded() && !resolved.contains(incident)) {
          resolved.add(incident);
        }
      }
    }
    for (Incident incident : resolved) {
      incident.open = false;
      incident.endNanos = incident.conditions.values().stream().mapToLong(c -> c.lastSeenNanos)
          .reduce(incident.startNanos, (a, b) -> b - a > 0 ? b : a);
      listener.resolved(incident.view(wall, nowNanos));
    }
  }

  /**
   * Opens an incident an operator reports (through the admin API) with their first update, and tells the
   * listener as it does for automatic ones. It stays open until an update in phase
   * {@link IncidentPhase#RESOLVED}; automatic conditions never join it.
   *
   * @param components what it concerns, in the operator's (public status page) words
   */
  public IncidentView openManual(long nowNanos, String title, List<String> components, IncidentImpact impact,
      IncidentPhase phase, String text) {
    Incident incident = new Incident(nextId++, nowNanos, new Incident.Manual(title, List.copyOf(components), impact));
    incident.update(nowNanos, phase, text);
    incidents.addLast(incident);
    evictOldest();
    if (phase == IncidentPhase.RESOLVED) {
      incident.open = false;
      incident.endNanos = nowNanos;
    }
    IncidentView view = incident.view(wall, nowNanos);
    listener.opened(view);
    if (!incident.open) {
      listener.resolved(view);
    }
    return view;
  }

  /**
   * Adds an operator's update to incident {@code id}, automatic or manual. {@link IncidentPhase#RESOLVED}
   * resolves a manual incident; an automatic one resolves only when its conditions end, so the operator's word
   * is shown next to the tracker's. The listener hears every update ({@code updated}, or {@code resolved} when
   * it resolves a manual incident).
   *
   * @return the incident after the update, or {@code null} if no incident {@code id} is kept
   * @throws IllegalStateException for a phase other than resolved on a resolved manual incident
   */
  public IncidentView postUpdate(long nowNanos, long id, IncidentPhase phase, String text) {
    for (Incident incident : incidents) {
      if (incident.id != id) {
        continue;
      }
      if (incident.manual() && !incident.open && phase != IncidentPhase.RESOLVED) {
        throw new IllegalStateException("incident " + id + " is resolved (post phase resolved, or open a new one)");
      }
      incident.update(nowNanos, phase, text);
      boolean resolves = incident.manual() && incident.open && phase == IncidentPhase.RESOLVED;
      if (resolves) {
        incident.open = false;
        incident.endNanos = nowNanos;
      }
      IncidentView view = incident.view(wall, nowNanos);
      if (resolves) {
        listener.resolved(view);
      } else {
        listener.updated(view);
      }
      return view;
    }
    return null;
  }

  /** Incidents, newest first. */
  public List<IncidentView> incidents(long nowNanos) {
    List<IncidentView> out = new ArrayList<>(incidents.size());
    incidents.descendingIterator().forEachRemaining(i -> out.add(i.view(wall, nowNanos)));
    return out;
  }

  /** Incidents still open. */
  public int openCount() {
    return (int) incidents.stream().filter(i -> i.open).count();
  }

  private void start(long nowNanos, Signal s) {
    Incident incident = lastAutomatic();
    boolean join = incident != null && incident.open && nowNanos - incident.lastChangeNanos <= groupWindowNanos;
    Incident.Condition c = new Incident.Condition(s, nowNanos);
    if (join) {
      Incident.Condition earlier = incident.conditions.get(s.key());
      if (earlier != null) {
        earlier.see(s, nowNanos);
        incident.event(nowNanos, s.kind().label() + " on " + s.component() + " again: " + s.detail());
      } else {
        incident.conditions.put(s.key(), c);
        incident.event(nowNanos, "started: " + s.kind().label() + " on " + s.component() + ": " + s.detail());
      }
      byCondition.put(s.key(), incident);
      return;
    }
    incident = new Incident(nextId++, nowNanos);
    incident.conditions.put(s.key(), c);
    incident.event(nowNanos, "started: " + s.kind().label() + " on " + s.component() + ": " + s.detail());
    byCondition.put(s.key(), incident);
    incidents.addLast(incident);
    evictOldest();
    listener.opened(incident.view(wall, nowNanos));
  }

  /** The newest incident the tracker opened: operators' incidents never take in automatic conditions. */
  private Incident lastAutomatic() {
    var it = incidents.descendingIterator();
    while (it.hasNext()) {
      Incident i = it.next();
      if (!i.manual()) {
        return i;
      }
    }
    return null;
  }

  private void evictOldest() {
    while (incidents.size() > maxIncidents) {
      Incident oldest = incidents.pollFirst();
      byCondition.values().removeIf(i -> i == oldest);
    }
  }
}
