package dev.spillway.core.llm;

import java.nio.charset.StandardCharsets;

/** Encodes a Java string as a JSON string literal (RFC 8259 section 7), for the values the gateway writes. */
public final class JsonStrings {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private JsonStrings() {}

  /** {@code s} in double quotes, UTF-8, with {@code "}, {@code \} and control characters escaped. */
  static byte[] quote(String s) {
    return ('"' + escape(s) + '"').getBytes(StandardCharsets.UTF_8);
  }

  /** The contents of a JSON string literal for {@code s}: {@code "}, {@code \} and control characters escaped. */
  public static String escape(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
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
}
