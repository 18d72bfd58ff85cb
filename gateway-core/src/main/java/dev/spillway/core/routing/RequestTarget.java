package dev.spillway.core.routing;

/**
 * The path and query of a request target, from origin-form ({@code /v1/x?y}) or absolute-form
 * ({@code http://host/v1/x?y}, which a proxy must accept per RFC 9112 §3.2.2). The path is normalized
 * ({@link PathNormalizer}) and the normalized form is both routed on and forwarded; the query is kept as sent.
 *
 * @param pathAndQuery what to send upstream as the request target
 * @param path the normalized path alone, for routing
 * @param authority the host from an absolute-form target, or {@code null}
 */
public record RequestTarget(String pathAndQuery, String path, String authority) {

  /**
   * Parses a request target; returns {@code null} when it is not origin- or absolute-form, or its path is
   * rejected by {@link PathNormalizer}.
   */
  public static RequestTarget parse(String uri) {
    if (uri.startsWith("/")) {
      return of(uri, null);
    }
    int schemeEnd = uri.indexOf("://");
    if (schemeEnd <= 0) {
      return null;
    }
    String scheme = uri.substring(0, schemeEnd);
    if (!scheme.equalsIgnoreCase("http") && !scheme.equalsIgnoreCase("https")) {
      return null;
    }
    int authorityStart = schemeEnd + 3;
    int pathStart = authorityStart;
    while (pathStart < uri.length() && uri.charAt(pathStart) != '/' && uri.charAt(pathStart) != '?') {
      pathStart++;
    }
    String authority = uri.substring(authorityStart, pathStart);
    if (authority.isEmpty() || authority.indexOf('@') >= 0) {
      return null;
    }
    String rest = pathStart < uri.length() ? uri.substring(pathStart) : "/";
    if (rest.startsWith("?")) {
      rest = "/" + rest;
    }
    return of(rest, authority);
  }

  private static RequestTarget of(String originForm, String authority) {
    int q = originForm.indexOf('?');
    String raw = q < 0 ? originForm : originForm.substring(0, q);
    String path = PathNormalizer.normalize(raw);
    if (path == null) {
      return null;
    }
    String pathAndQuery = path == raw ? originForm : q < 0 ? path : path + originForm.substring(q);
    return new RequestTarget(pathAndQuery, path, authority);
  }
}
