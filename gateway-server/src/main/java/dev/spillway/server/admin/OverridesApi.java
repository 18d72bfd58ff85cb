package dev.spillway.server.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spillway.core.incident.ActiveOverride;
import dev.spillway.core.incident.IncidentOverrides;
import dev.spillway.core.incident.LimitOverride;
import dev.spillway.core.incident.OverrideException;
import dev.spillway.server.status.ResilienceEvent;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The incident controls on the admin server, {@code /overrides}:
 * <pre>
 * GET    /overrides                                   every control in force
 * PUT    /overrides/backends/{name}/concurrency      {"pin": 8} or {"max": 16}
 * DELETE /overrides/backends/{name}/concurrency
 * PUT    /overrides/shed                             {"priority": "sheddable", "percent": 50} or {"tier": "free", ...}
 * DELETE /overrides/shed/priority/{class}, /overrides/shed/tier/{name}
 * PUT    /overrides/routes/{name}/maintenance        {"message": "...", "retryAfterSeconds": 120}
 * DELETE /overrides/routes/{name}/maintenance
 * PUT    /overrides/endpoints/{host:port}            {"state": "drained"} or {"state": "active"}
 * DELETE /overrides/endpoints/{host:port}            (restores it)
 * </pre>
 * A bad value is a 400, an unknown name or nothing to remove a 404, a backend without a limit a 409; errors
 * use OpenAI's error shape with {@code param} naming the field. Every change is written to the
 * {@code spillway.audit} log (who, what, when) and reported to the status tracker, where a control in force
 * is a condition of an incident. The admin server's single event loop calls it.
 */
public final class OverridesApi {
  /** The audit log's logger name. */
  public static final String AUDIT_LOGGER = "spillway.audit";
  private static final Logger audit = LoggerFactory.getLogger(AUDIT_LOGGER);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A complete answer: status and JSON body. */
  public record Reply(int status, byte[] body) {}

  private final IncidentOverrides overrides;
  private final Consumer<ResilienceEvent> events;

  /** @param events receives an opening event per control applied and a closing one per control removed */
  public OverridesApi(IncidentOverrides overrides, Consumer<ResilienceEvent> events) {
    this.overrides = overrides;
    this.events = events;
  }

  /** The controls in force, as the status JSON and {@code /config} list them. */
  public List<ActiveOverride> list() {
    return overrides.list();
  }

  /**
   * Answers one request under {@code /overrides}.
   *
   * @param path the request path (segments percent-encoded), starting with {@code /overrides}
   * @param who the admin token's identity and the client address, for the audit log
   */
  public Reply handle(String method, String path, byte[] body, String who) {
    List<String> parts = segments(path);
    try {
      if (parts.size() == 1) {
        return method.equals("GET") ? list(200) : notAllowed("GET");
      }
      String area = parts.get(1);
      if (area.equals("backends") && parts.size() == 4 && parts.get(3).equals("concurrency")) {
        return backend(method, parts.get(2), body, who);
      }
      if (area.equals("shed") && parts.size() == 2) {
        return method.equals("PUT") ? shed(body, who) : notAllowed("PUT");
      }
      if (area.equals("shed") && parts.size() == 4 && (parts.get(2).equals("priority") || parts.get(2).equals("tier"))) {
        if (!method.equals("DELETE")) {
          return notAllowed("DELETE");
        }
        boolean priority = parts.get(2).equals("priority");
        return removed(overrides.clearShed(priority ? parts.get(3) : null, priority ? null : parts.get(3)), who);
      }
      if (area.equals("routes") && parts.size() == 4 && parts.get(3).equals("maintenance")) {
        return maintenance(method, parts.get(2), body, who);
      }
      if (area.equals("endpoints") && parts.size() == 3) {
        return endpoint(method, parts.get(2), body, who);
      }
      return error(404, "not_found", null, "no such override path: " + path + " (see GET /overrides)");
    } catch (OverrideException e) {
      return switch (e.problem()) {
        case INVALID -> error(400, null, e.field(), e.getMessage());
        case NOT_FOUND -> error(404, "not_found", e.field(), e.getMessage());
        case CONFLICT -> error(409, "conflict", e.field(), e.getMessage());
      };
    } catch (BadBody e) {
      return error(400, null, e.field, e.getMessage());
    }
  }

  private Reply backend(String method, String name, byte[] body, String who) {
    if (method.equals("DELETE")) {
      return removed(overrides.clearBackendLimit(name), who);
    }
    if (!method.equals("PUT")) {
      return notAllowed("PUT, DELETE");
    }
    ObjectNode json = object(body, Set.of("pin", "max"));
    if (json.has("pin") == json.has("max")) {
      throw new BadBody("pin", "pin: give exactly one of \"pin\" or \"max\" (a limit >= 1)");
    }
    String field = json.has("pin") ? "pin" : "max";
    int value = positiveInt(json, field, Integer.MAX_VALUE);
    return applied(overrides.setBackendLimit(name, field.equals("pin") ? LimitOverride.pin(value)
        : LimitOverride.max(value), who), who);
  }

  private Reply shed(byte[] body, String who) {
    ObjectNode json = object(body, Set.of("priority", "tier", "percent"));
    if (!json.has("percent")) {
      throw new BadBody("percent", "percent: missing (expected: 1..100)");
    }
    int percent = positiveInt(json, "percent", 100);
    return applied(overrides.setShed(text(json, "priority"), text(json, "tier"), percent, who), who);
  }

  private Reply maintenance(String method, String route, byte[] body, String who) {
    if (method.equals("DELETE")) {
      return removed(overrides.clearMaintenance(route), who);
    }
    if (!method.equals("PUT")) {
      return notAllowed("PUT, DELETE");
    }
    ObjectNode json = object(body, Set.of("message", "retryAfterSeconds"));
    long retry = json.has("retryAfterSeconds") ? positiveInt(json, "retryAfterSeconds", 86_400) : 0;
    return applied(overrides.setMaintenance(route, text(json, "message"), retry, who), who);
  }

  private Reply endpoint(String method, String address, byte[] body, String who) {
    if (method.equals("DELETE")) {
      return removed(overrides.setDrained(address, false, who), who);
    }
    if (!method.equals("PUT")) {
      return notAllowed("PUT, DELETE");
    }
    String state = text(object(body, Set.of("state")), "state");
    if (!"drained".equals(state) && !"active".equals(state)) {
      throw new BadBody("state", "state: " + (state == null ? "missing" : "\"" + state + "\"")
          + " (expected: drained or active)");
    }
    Optional<ActiveOverride> result = overrides.setDrained(address, state.equals("drained"), who);
    return state.equals("drained") ? applied(result.orElseThrow(), who) : removed(result, who);
  }

  private Reply applied(ActiveOverride o, String who) {
    audit.info("override applied: {} by {}", o.describe(), who);
    events.accept(new ResilienceEvent(ResilienceEvent.Type.OVERRIDE_APPLIED, component(o),
        o.settings() + " by " + who));
    ObjectNode out = JSON.createObjectNode();
    out.set("applied", OverridesJson.node(o));
    return new Reply(200, bytes(out));
  }

  private Reply removed(Optional<ActiveOverride> o, String who) {
    if (o.isEmpty()) {
      return error(404, "not_found", null, "no such override in force");
    }
    audit.info("override removed: {} by {}", o.get().describe(), who);
    events.accept(new ResilienceEvent(ResilienceEvent.Type.OVERRIDE_REMOVED, component(o.get()), "by " + who));
    ObjectNode out = JSON.createObjectNode();
    out.set("removed", OverridesJson.node(o.get()));
    return new Reply(200, bytes(out));
  }

  private static String component(ActiveOverride o) {
    return o.kind().tag() + " " + o.target();
  }

  private Reply list(int status) {
    ObjectNode out = JSON.createObjectNode();
    out.set("overrides", OverridesJson.array(overrides.list()));
    return new Reply(status, bytes(out));
  }

  private static Reply notAllowed(String allowed) {
    return error(405, "method_not_allowed", null, "method not allowed here (expected: " + allowed + ")");
  }

  /** OpenAI's error shape, with {@code param} naming the field at fault. */
  static Reply error(int status, String code, String field, String message) {
    ObjectNode error = JSON.createObjectNode();
    error.put("message", message);
    error.put("type", status == 404 ? "not_found_error" : "invalid_request_error");
    error.put("param", field);
    error.put("code", code);
    ObjectNode out = JSON.createObjectNode();
    out.set("error", error);
    return new Reply(status, bytes(out));
  }

  private static ObjectNode object(byte[] body, Set<String> allowed) {
    JsonNode node;
    try {
      node = body.length == 0 ? null : JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new BadBody("body", "body: not valid JSON (" + e.getOriginalMessage() + ")");
    } catch (java.io.IOException e) {
      throw new BadBody("body", "body: cannot be read");
    }
    if (!(node instanceof ObjectNode object)) {
      throw new BadBody("body", "body: missing or not a JSON object");
    }
    for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!allowed.contains(name)) {
        throw new BadBody(name, name + ": unknown field (expected: " + String.join(", ", allowed.stream().sorted()
            .toList()) + ")");
      }
    }
    return object;
  }

  private static int positiveInt(ObjectNode json, String field, int max) {
    JsonNode v = json.get(field);
    if (v == null || !v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 1 || v.asInt() > max) {
      throw new BadBody(field, field + ": " + v + " (expected: an integer 1.." + max + ")");
    }
    return v.asInt();
  }

  private static String text(ObjectNode json, String field) {
    JsonNode v = json.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new BadBody(field, field + ": " + v + " (expected: a string)");
    }
    return v.asText();
  }

  private static List<String> segments(String path) {
    return java.util.Arrays.stream(path.substring(1).split("/", -1))
        .map(s -> URLDecoder.decode(s, StandardCharsets.UTF_8)).toList();
  }

  private static byte[] bytes(JsonNode node) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A request body that cannot be read, naming the field. */
  private static final class BadBody extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String field;

    BadBody(String field, String message) {
      super(message, null, false, false);
      this.field = field;
    }
  }
}
