package dev.spillway.server.statuspage;

import dev.spillway.server.status.IncidentImpact;
import dev.spillway.server.status.IncidentPhase;
import dev.spillway.server.status.IncidentView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Tells an incident to users. An operator's incident keeps its title and updates. An automatic one gets a
 * name from its impact and the public components it concerns, a fixed first update ("We are investigating…"),
 * the operators' updates, and a fixed last one when the tracker resolves it: the tracker's own event texts name
 * backends and endpoints, so they never appear here.
 */
final class PublicIncidents {
  private PublicIncidents() {}

  static PublicModel.PublicIncident of(IncidentView i, List<PublicModel.Component> affected) {
    String id = String.valueOf(i.id());
    String names = affected.stream().map(PublicModel.Component::name).collect(Collectors.joining(", "));
    List<PublicModel.Update> updates = new ArrayList<>();
    int n = 0;
    if (!i.manual()) {
      updates.add(new PublicModel.Update(id + "-" + n++, IncidentPhase.INVESTIGATING.tag(),
          "We are investigating " + problem(i.impact()) + " affecting " + names + ".", i.startedAt()));
    }
    boolean operatorResolved = false;
    Instant monitoringAt = null;
    for (IncidentView.Update u : i.updates()) {
      updates.add(new PublicModel.Update(id + "-" + n++, u.phase().tag(), u.text(), u.at()));
      operatorResolved |= u.phase() == IncidentPhase.RESOLVED;
      if (u.phase() == IncidentPhase.MONITORING && monitoringAt == null) {
        monitoringAt = u.at();
      }
    }
    if (!i.manual() && !i.open() && !operatorResolved) {
      updates.add(new PublicModel.Update(id + "-" + n, IncidentPhase.RESOLVED.tag(),
          "This incident has been resolved.", i.endedAt()));
    }
    String status;
    if (!i.open()) {
      status = IncidentPhase.RESOLVED.tag();
    } else if (i.phase() != null) {
      status = i.phase().tag();
    } else {
      status = IncidentPhase.INVESTIGATING.tag();
    }
    String name = i.manual() ? i.title() : capitalize(problem(i.impact())) + " affecting " + names;
    Instant updatedAt = updates.get(updates.size() - 1).at();
    Collections.reverse(updates);
    return new PublicModel.PublicIncident(id, name, status, i.impact().tag(), i.startedAt(), updatedAt, monitoringAt,
        i.open() ? null : i.endedAt(), affected, List.copyOf(updates));
  }

  private static String problem(IncidentImpact impact) {
    return impact.compareTo(IncidentImpact.MAJOR) >= 0 ? "an outage" : "degraded performance";
  }

  private static String capitalize(String s) {
    String t = s.startsWith("an ") ? s.substring(3) : s;
    return Character.toUpperCase(t.charAt(0)) + t.substring(1);
  }
}
