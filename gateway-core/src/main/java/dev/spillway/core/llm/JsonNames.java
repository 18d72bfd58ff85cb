package dev.spillway.core.llm;

import java.nio.charset.StandardCharsets;

/** Member names as bytes, and the decoding of the few string values the visitors keep. */
final class JsonNames {
  private JsonNames() {}

  static byte[] bytes(String ascii) {
    return ascii.getBytes(StandardCharsets.US_ASCII);
  }

  static boolean is(byte[] key, int length, byte[] name) {
    if (length != name.length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (key[i] != name[i]) {
        return false;
      }
    }
    return true;
  }

  /** Decodes the raw bytes between the quotes of a string the tokenizer already validated. */
  static String decode(byte[] raw, int length) {
    int backslash = indexOf(raw, 0, length);
    if (backslash < 0) {
      return new String(raw, 0, length, StandardCharsets.UTF_8);
    }
    StringBuilder sb = new StringBuilder(length);
    int from = 0;
    while (backslash >= 0) {
      sb.append(new String(raw, from, backslash - from, StandardCharsets.UTF_8));
      int c = raw[backslash + 1];
      if (c == 'u') {
        sb.append((char) Integer.parseInt(new String(raw, backslash + 2, 4, StandardCharsets.US_ASCII), 16));
        from = backslash + 6;
      } else {
        sb.append(switch (c) {
          case 'b' -> '\b';
          case 'f' -> '\f';
          case 'n' -> '\n';
          case 'r' -> '\r';
          case 't' -> '\t';
          default -> (char) c;
        });
        from = backslash + 2;
      }
      backslash = indexOf(raw, from, length);
    }
    return sb.append(new String(raw, from, length - from, StandardCharsets.UTF_8)).toString();
  }

  private static int indexOf(byte[] raw, int from, int length) {
    for (int i = from; i < length; i++) {
      if (raw[i] == '\\') {
        return i;
      }
    }
    return -1;
  }
}
