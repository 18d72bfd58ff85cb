package dev.spillway.server.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spillway.server.status.IncidentImpact;
import dev.spillway.server.status.IncidentPhase;
import dev.spillway.server.status.IncidentView;
import dev.spillway.server.status.StatusJson;
import dev.spillway.server.status.StatusTracker;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Operators' incident posts on the admin API, validated before they reach the tracker:
 *
 * <pre>{@code
 * POST /incidents             {"title": "...", "components": ["Chat API"], "impact": "minor",
 *                              "phase": "investigating", "text": "..."}
 * POST /incidents/7/updates   {"phase": "identified", "text": "..."}
 * }</pre>
 *
 * <p>Both answer {@code 201} with {@code {"incident": ...}} as {@code /incidents} shows it; bad input gets
 * {@code 400}, an unknown incident {@code 404}, an update to a resolved operator incident {@code 409}, each with
 * an OpenAI-shaped error body.
 */
final class IncidentPosts {
  static final int MAX_TITLE = 200;
  static final int MAX_TEXT = 5000;
  private static final Pattern UPDATES = Pattern.compile("/incidents/([0-9]{1,18})/updates");
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private IncidentPosts() {}

  /**
   * @param componentNames what {@code components} may name (the public page's components)
   */
  static AdminContent.Reply handle(String path, byte[] body, StatusTracker tracker, List<String> componentNames) {
    JsonNode json;
    try {
      json = MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      return bad(null, "the body is not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      return bad(null, "cannot read the body");
    }
    if (json == null || !json.isObject()) {
      return bad(null, "the body must be a JSON object");
    }
    if (path.equals("/incidents")) {
      return open(json, tracker, componentNames);
    }
    Matcher m = UPDATES.matcher(path);
    if (m.matches()) {
      return update(Long.parseLong(m.group(1)), json, tracker);
    }
    return AdminContent.Reply.error(404, "not_found", null,
        "nothing to post to at " + path + "; try /incidents or /incidents/ID/updates");
  }

  private static AdminContent.Reply open(JsonNode json, StatusTracker tracker, List<String> componentNames) {
    String title = text(json, "title", MAX_TITLE);
    if (title == null) {
      return bad("title", "title: missing or not a string of 1.." + MAX_TITLE + " characters");
    }
    String text = text(json, "text", MAX_TEXT);
    if (text == null) {
      return bad("text", "text: missing or not a string of 1.." + MAX_TEXT + " characters");
    }
    IncidentPhase phase = json.has("phase") ? IncidentPhase.parse(json.get("phase").asText())
        : IncidentPhase.INVESTIGATING;
    if (phase == null) {
      return bad("phase", "phase: " + json.get("phase") + " (expected: investigating, identified, monitoring or "
          + "resolved)");
    }
    IncidentImpact impact = json.has("impact") ? IncidentImpact.parse(json.get("impact").asText())
        : IncidentImpact.MINOR;
    if (impact == null) {
      return bad("impact", "impact: " + json.get("impact") + " (expected: none, minor, major or critical)");
    }
    JsonNode list = json.get("components");
    if (list == null || !list.isArray() || list.isEmpty()) {
      return bad("components", "components: missing or empty (expected: a list of names from "
          + componentNames + ")");
    }
    List<String> components = new ArrayList<>();
    for (JsonNode c : list) {
      if (!c.isTextual() || !componentNames.contains(c.asText())) {
        return bad("components", "components: unknown component " + c + " (expected: one of " + componentNames + ")");
      }
      if (!components.contains(c.asText())) {
        components.add(c.asText());
      }
    }
    IncidentView view = tracker.openManualIncident(title, components, impact, phase, text);
    return new AdminContent.Reply(201, StatusJson.incident(view));
  }

  private static AdminContent.Reply update(long id, JsonNode json, StatusTracker tracker) {
    IncidentPhase phase = json.has("phase") ? IncidentPhase.parse(json.get("phase").asText()) : null;
    if (phase == null) {
      return bad("phase", "phase: " + (json.has("phase") ? json.get("phase") : "missing")
          + " (expected: investigating, identified, monitoring or resolved)");
    }
    String text = text(json, "text", MAX_TEXT);
    if (text == null) {
      return bad("text", "text: missing or not a string of 1.." + MAX_TEXT + " characters");
    }
    IncidentView view;
    try {
      view = tracker.postIncidentUpdate(id, phase, text);
    } catch (IllegalStateException e) {
      return AdminContent.Reply.error(409, "incident_resolved", "phase", e.getMessage());
    }
    if (view == null) {
      return AdminContent.Reply.error(404, "incident_not_found", null, "no incident " + id
          + " (see GET /incidents; only the newest are kept)");
    }
    return new AdminContent.Reply(201, StatusJson.incident(view));
  }

  /** The trimmed string at {@code field}, or {@code null} if absent, not a string, blank or too long. */
  private static String text(JsonNode json, String field, int max) {
    JsonNode v = json.get(field);
    if (v == null || !v.isTextual()) {
      return null;
    }
    String t = v.asText().strip();
    return t.isEmpty() || t.length() > max ? null : t;
  }

  private static AdminContent.Reply bad(String param, String message) {
    return AdminContent.Reply.error(400, "invalid_incident", param, message);
  }
}
