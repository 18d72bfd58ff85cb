package dev.spillway.core.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

/**
 * The headers a proxy adds: {@code X-Forwarded-For} (appended), {@code X-Forwarded-Proto},
 * {@code X-Forwarded-Host} and {@code Via}.
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

  /**
   * Adds the forwarding headers to a request about to go upstream.
   *
   * @param clientIp the address of the peer that connected to us
   * @param originalHost the client's {@code Host} header, or {@code null}
   */
  public static void addForwarded(HttpHeaders headers, String clientIp, String originalHost) {
    String xff = joinAll(headers, X_FORWARDED_FOR);
    headers.set(X_FORWARDED_FOR, xff == null ? clientIp : xff + ", " + clientIp);
    headers.set(X_FORWARDED_PROTO, "http");
    if (originalHost != null) {
      headers.set(X_FORWARDED_HOST, originalHost);
    }
    appendVia(headers);
  }

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
