package dev.spillway.core.admission.reject;

/**
 * Escapes configured text for the two places it is embedded: JSON strings and HTML text. Only used when the
 * bodies are pre-encoded, never per request.
 */
final class Escaping {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Escaping() {}

  /** The contents of a JSON string literal (RFC 8259 §7): quote, backslash and control characters escaped. */
  static String json(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.toString();
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
