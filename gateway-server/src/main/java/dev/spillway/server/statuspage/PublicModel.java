package dev.spillway.server.statuspage;

import java.time.Instant;
import java.util.List;

/**
 * The public status page's content at one moment, in the vocabulary of the widely used status page APIs
 * (Atlassian Statuspage): nothing in it names a host, port, backend, tenant or key.
 *
 * @param title the page's name
 * @param path where the page is served, ending in {@code /}
 * @param updatedAt when this was computed
 * @param components what users see, in configured order
 * @param incidents newest first, open and past
 * @param maintenances the maintenances in progress (routes an operator put in maintenance), oldest first
 * @param indicator {@code none}, {@code minor}, {@code major} or {@code critical}
 * @param description the indicator in words ("All Systems Operational")
 */
record PublicModel(String title, String path, Instant updatedAt, List<Component> components,
    List<PublicIncident> incidents, List<Maintenance> maintenances, String indicator, String description) {

  /** Incidents not resolved yet. */
  List<PublicIncident> unresolved() {
    return incidents.stream().filter(i -> !i.status().equals("resolved")).toList();
  }

  /**
   * One component.
   *
   * @param status operational, under_maintenance, degraded_performance, partial_outage or major_outage
   * @param updatedAt when its status last changed
   */
  record Component(String id, String name, String description, String status, Instant updatedAt, int position) {}

  /**
   * One incident.
   *
   * @param status investigating, identified, monitoring or resolved
   * @param impact none, minor, major or critical
   * @param updates newest first
   */
  record PublicIncident(String id, String name, String status, String impact, Instant createdAt, Instant updatedAt,
      Instant monitoringAt, Instant resolvedAt, List<Component> components, List<Update> updates) {}

  /**
   * A maintenance in progress: the components of the routes in maintenance, with the operator's text.
   *
   * @param id stable while the maintenance lasts
   */
  record Maintenance(String id, String name, String body, Instant startedAt, List<Component> components) {}

  /** One update of an incident, in words for users. */
  record Update(String id, String status, String body, Instant at) {}
}
