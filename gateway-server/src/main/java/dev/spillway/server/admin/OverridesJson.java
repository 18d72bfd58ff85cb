package dev.spillway.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spillway.core.incident.ActiveOverride;
import java.io.IOException;
import java.util.List;

/**
 * Incident controls as JSON: {@code {"kind","target","settings","since","by"}} each, and the {@code overrides}
 * list added to a JSON document already rendered ({@code /status}, the page's feed, {@code /config}).
 */
final class OverridesJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private OverridesJson() {}

  static ObjectNode node(ActiveOverride o) {
    ObjectNode n = JSON.createObjectNode();
    n.put("kind", o.kind().tag());
    n.put("target", o.target());
    n.set("settings", JSON.valueToTree(o.settings()));
    n.put("since", o.since().toString());
    n.put("by", o.by());
    return n;
  }

  static ArrayNode array(List<ActiveOverride> all) {
    ArrayNode a = JSON.createArrayNode();
    all.forEach(o -> a.add(node(o)));
    return a;
  }

  /**
   * {@code document} (a JSON object) with {@code "overrides": [...]} set at its top level and, when it has a
   * {@code status} object (the page's feed), there too. Only runs when either changed, never per request.
   */
  static byte[] withOverrides(byte[] document, List<ActiveOverride> all, boolean pretty) {
    if (document.length == 0) {
      return document;
    }
    try {
      JsonNode root = JSON.readTree(document);
      if (!(root instanceof ObjectNode object)) {
        return document;
      }
      ArrayNode list = array(all);
      object.set("overrides", list);
      if (object.get("status") instanceof ObjectNode status) {
        status.set("overrides", list.deepCopy());
      }
      return pretty ? JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(object)
          : JSON.writeValueAsBytes(object);
    } catch (IOException e) {
      throw new IllegalStateException("cannot add the overrides to a rendered document", e);
    }
  }

  /** {@link #withOverrides} of one document, re-rendered only when the document or the controls changed. */
  static final class Cached {
    private final boolean pretty;
    private byte[] source;
    private List<ActiveOverride> seen;
    private byte[] result;

    Cached(boolean pretty) {
      this.pretty = pretty;
    }

    synchronized byte[] render(byte[] document, List<ActiveOverride> now) {
      if (document != source || !now.equals(seen)) {
        result = withOverrides(document, now, pretty);
        source = document;
        seen = now;
      }
      return result;
    }
  }
}
