package dev.spillway.core.routing;

import java.util.ArrayList;
import java.util.List;

/**
 * Puts a request path into the one form the gateway both routes on and forwards, so a path can never route
 * one way at the gateway and another at the backend:
 *
 * <ol>
 *   <li>percent-encoded unreserved characters are decoded ({@code %2E} is {@code .}, {@code %41} is {@code A},
 *       RFC 3986 §6.2.2.2); every other escape is kept, with upper-case hex;</li>
 *   <li>dot segments are removed (RFC 3986 §5.2.4), including encoded ones; {@code ..} never climbs above
 *       the root;</li>
 *   <li>empty segments are merged ({@code //v1///x} is {@code /v1/x}), as nginx's {@code merge_slashes}
 *       does; a trailing slash is kept.</li>
 * </ol>
 * Rejected (the caller answers 400): a malformed escape, an encoded slash or backslash ({@code %2F},
 * {@code %5C}), an encoded control byte ({@code %00}–{@code %1F}, {@code %7F}), and a literal backslash: backends
 * disagree about all of them, and none belongs in an API path.
 */
public final class PathNormalizer {
  private PathNormalizer() {}

  /**
   * Normalizes {@code path} (starting with {@code /}, without the query).
   *
   * @return the normalized path (the same instance when it was already normal), or {@code null} if rejected
   */
  public static String normalize(String path) {
    if (isNormal(path)) {
      return path;
    }
    StringBuilder decoded = new StringBuilder(path.length());
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '\\') {
        return null;
      }
      if (c != '%') {
        decoded.append(c);
        continue;
      }
      if (i + 2 >= path.length()) {
        return null;
      }
      int hi = Character.digit(path.charAt(i + 1), 16);
      int lo = Character.digit(path.charAt(i + 2), 16);
      if (hi < 0 || lo < 0) {
        return null;
      }
      int v = hi << 4 | lo;
      if (v == '/' || v == '\\' || v < 0x20 || v == 0x7f) {
        return null;
      }
      if (isUnreserved(v)) {
        decoded.append((char) v);
      } else {
        decoded.append('%').append(Character.toUpperCase(path.charAt(i + 1)))
            .append(Character.toUpperCase(path.charAt(i + 2)));
      }
      i += 2;
    }
    return removeDotSegments(decoded);
  }

  private static String removeDotSegments(CharSequence path) {
    List<String> out = new ArrayList<>();
    int n = path.length();
    int start = 1;
    boolean trailingSlash = false;
    while (start <= n) {
      int slash = indexOf(path, '/', start);
      int end = slash < 0 ? n : slash;
      String segment = path.subSequence(start, end).toString();
      boolean last = slash < 0;
      if (segment.equals("..")) {
        if (!out.isEmpty()) {
          out.remove(out.size() - 1);
        }
        trailingSlash = last;
      } else if (segment.equals(".")) {
        trailingSlash = last;
      } else if (segment.isEmpty()) {
        trailingSlash = last;
      } else {
        out.add(segment);
        trailingSlash = false;
      }
      start = end + 1;
    }
    StringBuilder sb = new StringBuilder(n);
    for (String segment : out) {
      sb.append('/').append(segment);
    }
    if (sb.length() == 0 || trailingSlash) {
      sb.append('/');
    }
    return sb.toString();
  }

  /** The common case, checked without allocating: no escape, backslash, empty or dot segment. */
  static boolean isNormal(String path) {
    int n = path.length();
    if (n == 0 || path.charAt(0) != '/') {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = path.charAt(i);
      if (c == '%' || c == '\\') {
        return false;
      }
      if (c == '/' && i + 1 < n) {
        char next = path.charAt(i + 1);
        if (next == '/') {
          return false;
        }
        if (next == '.' && (i + 2 == n || path.charAt(i + 2) == '/'
            || (path.charAt(i + 2) == '.' && (i + 3 == n || path.charAt(i + 3) == '/')))) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean isUnreserved(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
        || c == '_' || c == '~';
  }

  private static int indexOf(CharSequence s, char c, int from) {
    for (int i = from; i < s.length(); i++) {
      if (s.charAt(i) == c) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Whether {@code path} falls under {@code prefix} on a segment boundary: {@code /v1} takes {@code /v1} and
   * {@code /v1/...}, never {@code /v1x}; a prefix ending in {@code /} (including {@code /}) takes what starts
   * with it.
   */
  public static boolean underPrefix(String path, String prefix) {
    if (!path.startsWith(prefix)) {
      return false;
    }
    return prefix.endsWith("/") || path.length() == prefix.length() || path.charAt(prefix.length()) == '/';
  }
}
