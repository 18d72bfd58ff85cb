package dev.spillway.core.routing;

/**
 * The path and query of a request target, from origin-form ({@code /v1/x?y}) or absolute-form
 * ({@code http://host/v1/x?y}, which a proxy must accept per RFC 9112 §3.2.2).
 *
 * @param pathAndQuery what to send upstream as the request target
 * @param path the path alone, for routing
 * @param authority the host from an absolute-form target, or {@code null}
 */
public record RequestTarget(String pathAndQuery, String path, String authority) {

  /** Parses a request target; returns {@code null} when it is not origin- or absolute-form. */
  public static RequestTarget parse(String uri) {
    if (uri.startsWith("/")) {
      int q = uri.indexOf('?');
      return new RequestTarget(uri, q < 0 ? uri : uri.substring(0, q), null);
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
    int q = rest.indexOf('?');
    return new RequestTarget(rest, q < 0 ? rest : rest.substring(0, q), authority);
  }
}
