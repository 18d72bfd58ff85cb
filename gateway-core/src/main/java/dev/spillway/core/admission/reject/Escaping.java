package dev.spillway.core.admission.reject;

import dev.spillway.core.llm.JsonStrings;

/**
 * Escapes configured text for the two places it is embedded: JSON strings and HTML text. Only used when the
 * bodies are pre-encoded, never per request.
 */
final class Escaping {
  private Escaping() {}

  /** The contents of a JSON string literal (RFC 8259 §7): quote, backslash and control characters escaped. */
  static String json(String s) {
    return JsonStrings.escape(s);
  }

  /** Text safe inside HTML elements and quoted attributes. */
  static String html(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }
}
