package dev.spillway.core.http;

import java.util.concurrent.ThreadLocalRandom;

/** Keeps a client's {@code X-Request-Id} when it is sane, or makes a new one. */
public final class RequestIds {
  private static final int MAX_LENGTH = 200;
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private RequestIds() {}

  /** Returns {@code incoming} if it is 1–200 visible ASCII characters, otherwise a fresh random id. */
  public static String keepOrGenerate(String incoming) {
    return isValid(incoming) ? incoming : generate();
  }

  /** A random 128-bit id as 32 lower-case hex digits. Not a security token: only unique enough to trace by. */
  public static String generate() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    char[] out = new char[32];
    long hi = random.nextLong();
    long lo = random.nextLong();
    for (int i = 0; i < 16; i++) {
      out[i] = HEX[(int) (hi >>> (60 - 4 * i)) & 0xf];
      out[16 + i] = HEX[(int) (lo >>> (60 - 4 * i)) & 0xf];
    }
    return new String(out);
  }

  static boolean isValid(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        return false;
      }
    }
    return true;
  }
}
