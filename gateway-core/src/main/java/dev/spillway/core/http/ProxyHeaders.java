package dev.spillway.core.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

/**
 * Names of the headers a proxy adds, and {@code Via} (RFC 9110 §7.6.3); the forwarding headers themselves are
 * written by {@link ForwardingHeaders}.
 */
public final class ProxyHeaders {
  public static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
  public static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
  public static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
  public static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
  public static final AsciiString X_UPSTREAM_REQUEST_ID = AsciiString.cached("x-upstream-request-id");
  /** Our pseudonym in {@code Via} (RFC 9110 §7.6.3). */
  public static final String VIA_VALUE = "1.1 spillway";

  private ProxyHeaders() {}

  /** Appends our {@code Via} entry, folding any earlier ones into one field. */
  public static void appendVia(HttpHeaders headers) {
    String via = joinAll(headers, HttpHeaderNames.VIA);
    headers.set(HttpHeaderNames.VIA, via == null ? VIA_VALUE : via + ", " + VIA_VALUE);
  }

  /** Joins repeated fields with ", " as RFC 9110 allows for list-valued headers; {@code null} if absent. */
  private static String joinAll(HttpHeaders headers, CharSequence name) {
    java.util.List<String> values = headers.getAll(name);
    if (values.isEmpty()) {
      return null;
    }
    return values.size() == 1 ? values.get(0) : String.join(", ", values);
  }
}
