package dev.spillway.core.admission.identity;

/**
 * Extracts the credentials of {@code Authorization: Bearer <token>} (RFC 6750 section 2.1). The scheme is
 * matched case-insensitively, as RFC 9110 section 11.1 requires; anything else yields {@code null}.
 */
final class BearerTokens {
  private static final String SCHEME = "bearer";

  private BearerTokens() {}

  /** The token, or {@code null} when the value is absent, of another scheme, or carries no token. */
  static String parse(CharSequence authorization) {
    if (authorization == null) {
      return null;
    }
    int len = authorization.length();
    int start = skipSpaces(authorization, 0);
    if (len - start <= SCHEME.length() || !authorization.toString().regionMatches(true, start, SCHEME, 0,
        SCHEME.length())) {
      return null;
    }
    int afterScheme = start + SCHEME.length();
    if (!isSpace(authorization.charAt(afterScheme))) {
      return null;
    }
    return token(authorization, afterScheme);
  }

  /** A header value carrying the key itself (e.g. {@code x-api-key}), trimmed; {@code null} when empty. */
  static String plain(CharSequence value) {
    return value == null ? null : token(value, 0);
  }

  private static String token(CharSequence value, int from) {
    int begin = skipSpaces(value, from);
    int end = value.length();
    while (end > begin && isSpace(value.charAt(end - 1))) {
      end--;
    }
    if (begin == end) {
      return null;
    }
    for (int i = begin; i < end; i++) {
      // A token68 has no inner whitespace; "Bearer a b" is malformed, not the key "a b".
      if (isSpace(value.charAt(i))) {
        return null;
      }
    }
    return value.subSequence(begin, end).toString();
  }

  private static int skipSpaces(CharSequence s, int i) {
    while (i < s.length() && isSpace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t';
  }
}
