package dev.spillway.server.statuspage;

import static dev.spillway.server.status.JsonBytes.render;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * The public page's JSON, shaped like Atlassian Statuspage's public API v2 ({@code summary.json},
 * {@code status.json}, {@code components.json}, {@code incidents.json}, {@code incidents/unresolved.json}) so
 * tools that read those can read this, plus {@code scheduled-maintenances.json} and its {@code active} and
 * {@code upcoming} lists. Spillway schedules nothing ahead: its maintenances are routes an operator put in
 * maintenance, listed {@code in_progress} while the control is in force. Fields Spillway has no data for are
 * left out.
 */
final class PublicStatusJson {
  private PublicStatusJson() {}

  static byte[] summary(PublicModel m) {
    return render(g -> {
      g.writeStartObject();
      page(g, m);
      components(g, m);
      incidentList(g, m, m.unresolved());
      maintenanceList(g, m, m.maintenances());
      status(g, m);
      g.writeEndObject();
    });
  }

  static byte[] status(PublicModel m) {
    return render(g -> {
      g.writeStartObject();
      page(g, m);
      status(g, m);
      g.writeEndObject();
    });
  }

  static byte[] components(PublicModel m) {
    return render(g -> {
      g.writeStartObject();
      page(g, m);
      components(g, m);
      g.writeEndObject();
    });
  }

  /** All incidents kept, or only the unresolved ones; newest first. */
  static byte[] incidents(PublicModel m, boolean unresolvedOnly) {
    return render(g -> {
      g.writeStartObject();
      page(g, m);
      incidentList(g, m, unresolvedOnly ? m.unresolved() : m.incidents());
      g.writeEndObject();
    });
  }

  /** The maintenances in progress ({@code active} and the whole list alike), or the empty upcoming list. */
  static byte[] maintenances(PublicModel m, boolean inProgress) {
    return render(g -> {
      g.writeStartObject();
      page(g, m);
      maintenanceList(g, m, inProgress ? m.maintenances() : List.of());
      g.writeEndObject();
    });
  }

  private static void maintenanceList(JsonGenerator g, PublicModel m, List<PublicModel.Maintenance> list)
      throws IOException {
    g.writeArrayFieldStart("scheduled_maintenances");
    for (PublicModel.Maintenance x : list) {
      g.writeStartObject();
      g.writeStringField("id", x.id());
      g.writeStringField("name", x.name());
      g.writeStringField("status", "in_progress");
      time(g, "created_at", x.startedAt());
      time(g, "updated_at", x.startedAt());
      time(g, "monitoring_at", null);
      time(g, "resolved_at", null);
      g.writeStringField("impact", "maintenance");
      g.writeStringField("shortlink", m.path() + "#" + x.id());
      time(g, "started_at", x.startedAt());
      g.writeStringField("page_id", Words.slug(m.title(), 0));
      time(g, "scheduled_for", x.startedAt());
      time(g, "scheduled_until", null);
      g.writeArrayFieldStart("incident_updates");
      g.writeStartObject();
      g.writeStringField("id", x.id() + "-0");
      g.writeStringField("status", "in_progress");
      g.writeStringField("body", x.body());
      g.writeStringField("incident_id", x.id());
      time(g, "created_at", x.startedAt());
      time(g, "updated_at", x.startedAt());
      time(g, "display_at", x.startedAt());
      g.writeEndObject();
      g.writeEndArray();
      g.writeArrayFieldStart("components");
      for (PublicModel.Component c : x.components()) {
        component(g, m, c);
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static void page(JsonGenerator g, PublicModel m) throws IOException {
    g.writeObjectFieldStart("page");
    g.writeStringField("id", Words.slug(m.title(), 0));
    g.writeStringField("name", m.title());
    g.writeStringField("url", m.path());
    g.writeStringField("time_zone", "Etc/UTC");
    time(g, "updated_at", m.updatedAt());
    g.writeEndObject();
  }

  private static void status(JsonGenerator g, PublicModel m) throws IOException {
    g.writeObjectFieldStart("status");
    g.writeStringField("indicator", m.indicator());
    g.writeStringField("description", m.description());
    g.writeEndObject();
  }

  private static void components(JsonGenerator g, PublicModel m) throws IOException {
    g.writeArrayFieldStart("components");
    for (PublicModel.Component c : m.components()) {
      component(g, m, c);
    }
    g.writeEndArray();
  }

  private static void component(JsonGenerator g, PublicModel m, PublicModel.Component c) throws IOException {
    g.writeStartObject();
    g.writeStringField("id", c.id());
    g.writeStringField("name", c.name());
    g.writeStringField("status", c.status());
    time(g, "created_at", c.updatedAt());
    time(g, "updated_at", c.updatedAt());
    g.writeNumberField("position", c.position());
    if (c.description() == null) {
      g.writeNullField("description");
    } else {
      g.writeStringField("description", c.description());
    }
    g.writeBooleanField("showcase", true);
    g.writeNullField("group_id");
    g.writeStringField("page_id", Words.slug(m.title(), 0));
    g.writeBooleanField("group", false);
    g.writeBooleanField("only_show_if_degraded", false);
    g.writeEndObject();
  }

  private static void incidentList(JsonGenerator g, PublicModel m, List<PublicModel.PublicIncident> list)
      throws IOException {
    g.writeArrayFieldStart("incidents");
    for (PublicModel.PublicIncident i : list) {
      g.writeStartObject();
      g.writeStringField("id", i.id());
      g.writeStringField("name", i.name());
      g.writeStringField("status", i.status());
      time(g, "created_at", i.createdAt());
      time(g, "updated_at", i.updatedAt());
      time(g, "monitoring_at", i.monitoringAt());
      time(g, "resolved_at", i.resolvedAt());
      g.writeStringField("impact", i.impact());
      g.writeStringField("shortlink", m.path() + "#incident-" + i.id());
      time(g, "started_at", i.createdAt());
      g.writeStringField("page_id", Words.slug(m.title(), 0));
      g.writeArrayFieldStart("incident_updates");
      for (PublicModel.Update u : i.updates()) {
        g.writeStartObject();
        g.writeStringField("id", u.id());
        g.writeStringField("status", u.status());
        g.writeStringField("body", u.body());
        g.writeStringField("incident_id", i.id());
        time(g, "created_at", u.at());
        time(g, "updated_at", u.at());
        time(g, "display_at", u.at());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeArrayFieldStart("components");
      for (PublicModel.Component c : i.components()) {
        component(g, m, c);
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static void time(JsonGenerator g, String field, Instant at) throws IOException {
    if (at == null) {
      g.writeNullField(field);
    } else {
      g.writeStringField(field, at.toString());
    }
  }
}
