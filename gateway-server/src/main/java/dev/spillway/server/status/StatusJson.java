package dev.spillway.server.status;

import static dev.spillway.server.status.JsonBytes.doubles;
import static dev.spillway.server.status.JsonBytes.longs;
import static dev.spillway.server.status.JsonBytes.render;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.List;

/** Renders {@link StatusSnapshot}s as the JSON of {@code /status}, {@code /incidents} and the page's feed. */
public final class StatusJson {
  private StatusJson() {}

  /** {@code /status}: readiness, overall state, and each route and backend. */
  public static byte[] status(StatusSnapshot s) {
    return render(g -> writeStatus(g, s));
  }

  /** {@code /incidents}: newest first. */
  public static byte[] incidents(StatusSnapshot s) {
    return render(g -> {
      g.writeStartObject();
      writeIncidents(g, s.incidents());
      g.writeEndObject();
    });
  }

  /** The status page's feed: status, incidents and the last 15 minutes of chart data. */
  public static byte[] dashboard(StatusSnapshot s) {
    return render(g -> {
      g.writeStartObject();
      g.writeFieldName("status");
      writeStatus(g, s);
      writeIncidents(g, s.incidents());
      Series series = s.series();
      g.writeObjectFieldStart("series");
      g.writeNumberField("step", 1);
      g.writeNumberField("points", series.served().length);
      longs(g, "served", series.served());
      longs(g, "failed", series.failed());
      longs(g, "shed", series.shed());
      longs(g, "rate_limited", series.rateLimited());
      longs(g, "rejected", series.rejected());
      g.writeArrayFieldStart("queued");
      for (int v : series.queued()) {
        g.writeNumber(v);
      }
      g.writeEndArray();
      doubles(g, "p50Millis", series.p50Millis());
      doubles(g, "p99Millis", series.p99Millis());
      g.writeEndObject();
      g.writeEndObject();
    });
  }

  private static void writeStatus(JsonGenerator g, StatusSnapshot s) throws IOException {
    g.writeStartObject();
    g.writeStringField("at", s.at().toString());
    g.writeBooleanField("ready", s.ready());
    if (!s.ready()) {
      g.writeStringField("notReadyReason", s.notReadyReason());
    }
    g.writeStringField("state", s.overall().tag());
    g.writeNumberField("openIncidents", s.incidents().stream().filter(IncidentView::open).count());
    writeComponents(g, "routes", "route", s.components());
    writeComponents(g, "backends", "backend", s.components());
    writeComponents(g, "gateway", "gateway", s.components());
    g.writeEndObject();
  }

  private static void writeComponents(JsonGenerator g, String field, String kind, List<ComponentStatus> all)
      throws IOException {
    g.writeArrayFieldStart(field);
    for (ComponentStatus c : all) {
      if (!c.kind().equals(kind)) {
        continue;
      }
      WindowStats w = c.assessment().stats();
      g.writeStartObject();
      g.writeStringField("name", c.name());
      g.writeStringField("state", c.state().tag());
      g.writeStringField("reason", c.assessment().reason());
      // The counts behind the state, keyed by the outcome words of metrics and the access log.
      g.writeObjectFieldStart("window");
      g.writeNumberField("seconds", w.seconds());
      g.writeNumberField("served", w.served());
      g.writeNumberField("failed", w.failed());
      g.writeNumberField("shed", w.shed());
      g.writeNumberField("rate_limited", w.rateLimited());
      g.writeNumberField("rejected", w.rejected());
      g.writeNumberField("client_cancelled", w.clientCancelled());
      g.writeNumberField("maxQueued", w.maxQueued());
      g.writeEndObject();
      if (kind.equals("route")) {
        g.writeNumberField("overflowed", c.overflowed());
        if (c.fallback() != null) {
          g.writeStringField("servedByFallback", c.fallback());
        }
      }
      if (c.endpoints().total() >= 0) {
        g.writeObjectFieldStart("endpoints");
        g.writeNumberField("available", c.endpoints().available());
        g.writeNumberField("total", c.endpoints().total());
        g.writeEndObject();
      }
      if (c.limit() >= 0) {
        g.writeNumberField("limit", c.limit());
        g.writeNumberField("inFlight", c.inFlight());
        g.writeNumberField("queued", c.queued());
        g.writeNumberField("maxQueue", c.maxQueue());
      }
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static void writeIncidents(JsonGenerator g, List<IncidentView> incidents) throws IOException {
    g.writeArrayFieldStart("incidents");
    for (IncidentView i : incidents) {
      writeIncident(g, i);
    }
    g.writeEndArray();
  }

  private static void writeIncident(JsonGenerator g, IncidentView i) throws IOException {
    g.writeStartObject();
    g.writeNumberField("id", i.id());
    g.writeStringField("title", i.title());
    g.writeStringField("summary", i.summary());
    g.writeStringField("state", i.open() ? "open" : "resolved");
    g.writeStringField("startedAt", i.startedAt().toString());
    if (i.endedAt() != null) {
      g.writeStringField("endedAt", i.endedAt().toString());
    }
    g.writeNumberField("durationSeconds", i.durationSeconds());
    g.writeArrayFieldStart("components");
    for (String c : i.components()) {
      g.writeString(c);
    }
    g.writeEndArray();
    g.writeArrayFieldStart("events");
    for (IncidentView.Event e : i.events()) {
      g.writeStartObject();
      g.writeStringField("at", e.at().toString());
      g.writeStringField("text", e.text());
      g.writeEndObject();
    }
    g.writeEndArray();
    writeOperatorFields(g, i);
    g.writeEndObject();
  }

  /** Who opened it, its impact, and what operators posted (the admin API's incident updates). */
  private static void writeOperatorFields(JsonGenerator g, IncidentView i) throws IOException {
    g.writeBooleanField("manual", i.manual());
    g.writeStringField("impact", i.impact().tag());
    if (i.phase() != null) {
      g.writeStringField("phase", i.phase().tag());
    }
    g.writeArrayFieldStart("updates");
    for (IncidentView.Update u : i.updates()) {
      g.writeStartObject();
      g.writeStringField("at", u.at().toString());
      g.writeStringField("phase", u.phase().tag());
      g.writeStringField("text", u.text());
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  /** One incident as {@code POST /incidents} and its updates answer. */
  public static byte[] incident(IncidentView incident) {
    return render(g -> {
      g.writeStartObject();
      g.writeFieldName("incident");
      writeIncident(g, incident);
      g.writeEndObject();
    });
  }

}
