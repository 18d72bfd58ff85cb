package dev.spillway.core.http;

/**
 * The syntax of a request line (RFC 9112 §3), checked strictly: what a lenient parser accepts and a backend
 * reads differently is how requests get smuggled past a proxy. Each check throws {@link RejectedHead}.
 *
 * <ul>
 *   <li>method: a non-empty token (RFC 9110 §5.6.2);</li>
 *   <li>target: visible US-ASCII only: no control characters, spaces, DEL, bytes above 0x7F, and no
 *       fragment ({@code #}), which a client never sends;</li>
 *   <li>version: exactly {@code HTTP/1.1} or {@code HTTP/1.0} (case-sensitive, RFC 9112 §2.3); another
 *       well-formed {@code HTTP/x.y} gets 505, anything else 400.</li>
 * </ul>
 */
public final class RequestLineRules {
  private static final boolean[] TCHAR = new boolean[128];

  static {
    for (char c = '0'; c <= '9'; c++) {
      TCHAR[c] = true;
    }
    for (char c = 'a'; c <= 'z'; c++) {
      TCHAR[c] = true;
      TCHAR[c - 32] = true;
    }
    for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
      TCHAR[c] = true;
    }
  }

  private RequestLineRules() {}

  /** Checks the three words of a request line as the decoder split them. */
  public static void check(String method, String target, String version) {
    checkMethod(method);
    checkTarget(target);
    checkVersion(version);
  }

  static void checkMethod(String method) {
    if (method.isEmpty() || !isToken(method)) {
      throw new RejectedHead(GatewayError.BAD_REQUEST, "invalid method");
    }
  }

  static void checkTarget(String target) {
    if (target.isEmpty()) {
      throw new RejectedHead(GatewayError.BAD_REQUEST, "empty request target");
    }
    for (int i = 0; i < target.length(); i++) {
      char c = target.charAt(i);
      if (c <= 0x20 || c >= 0x7F || c == '#') {
        throw new RejectedHead(GatewayError.BAD_REQUEST, "invalid character in request target");
      }
    }
  }

  static void checkVersion(String version) {
    if (version.equals("HTTP/1.1") || version.equals("HTTP/1.0")) {
      return;
    }
    if (version.length() == 8 && version.startsWith("HTTP/") && isDigit(version.charAt(5))
        && version.charAt(6) == '.' && isDigit(version.charAt(7))) {
      throw new RejectedHead(GatewayError.HTTP_VERSION_NOT_SUPPORTED, "unsupported version");
    }
    throw new RejectedHead(GatewayError.BAD_REQUEST, "invalid version");
  }

  /** Whether {@code s} is all token characters (RFC 9110 §5.6.2). */
  public static boolean isToken(CharSequence s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 128 || !TCHAR[c]) {
        return false;
      }
    }
    return true;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
