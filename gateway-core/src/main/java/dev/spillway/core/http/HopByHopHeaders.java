package dev.spillway.core.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * Removes hop-by-hop headers (RFC 9110 §7.6.1), which describe one connection and must not be forwarded:
 * {@code Connection}, {@code Keep-Alive}, {@code Proxy-*}, {@code TE}, {@code Trailer},
 * {@code Transfer-Encoding}, {@code Upgrade}, and every header the {@code Connection} header names.
 *
 * <p>Used in both directions. Framing ({@code Transfer-Encoding}) is re-established by the caller for the next
 * hop, since the proxy re-frames bodies it streams.
 */
public final class HopByHopHeaders {
  private static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
  private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
  private static final AsciiString[] FIXED = {
      HttpHeaderNames.CONNECTION, KEEP_ALIVE, PROXY_CONNECTION, HttpHeaderNames.PROXY_AUTHENTICATE,
      HttpHeaderNames.PROXY_AUTHORIZATION, HttpHeaderNames.TE, HttpHeaderNames.TRAILER,
      HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE,
  };

  private HopByHopHeaders() {}

  /** Strips hop-by-hop headers from {@code headers} in place. */
  public static void strip(HttpHeaders headers) {
    List<String> connection = headers.getAll(HttpHeaderNames.CONNECTION);
    for (int i = 0; i < connection.size(); i++) {
      removeListed(headers, connection.get(i));
    }
    for (AsciiString name : FIXED) {
      headers.remove(name);
    }
  }

  /** Removes each comma-separated header name in {@code value}, without allocating a list. */
  private static void removeListed(HttpHeaders headers, String value) {
    int start = 0;
    int n = value.length();
    while (start < n) {
      int comma = value.indexOf(',', start);
      int end = comma < 0 ? n : comma;
      int s = start;
      int e = end;
      while (s < e && value.charAt(s) <= ' ') {
        s++;
      }
      while (e > s && value.charAt(e - 1) <= ' ') {
        e--;
      }
      if (e > s) {
        headers.remove(value.substring(s, e));
      }
      start = end + 1;
    }
  }
}
