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
 * <p>{@code Connection} can never remove {@code Content-Length}, {@code Transfer-Encoding} or {@code Host}: those
 * tokens are ignored (as nginx and HAProxy do), because the framing and the target of a message are the
 * gateway's own verdict, not something a peer may strip. Otherwise a client could have the body's length
 * removed and its body read as a second request by the next hop (request smuggling). Framing is re-established
 * by the caller for the next hop from that verdict ({@code Transfer-Encoding} is always removed here).
 *
 * <p>Used in both directions.
 */
public final class HopByHopHeaders {
  private static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
  private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
  private static final AsciiString[] FIXED = {
      HttpHeaderNames.CONNECTION, KEEP_ALIVE, PROXY_CONNECTION, HttpHeaderNames.PROXY_AUTHENTICATE,
      HttpHeaderNames.PROXY_AUTHORIZATION, HttpHeaderNames.TE, HttpHeaderNames.TRAILER,
      HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE,
  };

  /** Headers a {@code Connection} token never removes. */
  private static final AsciiString[] PROTECTED = {
      HttpHeaderNames.CONTENT_LENGTH, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.HOST,
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

  /** Whether the token {@code value[s, e)} names a header that {@code Connection} may not remove. */
  static boolean isProtected(String value, int s, int e) {
    for (AsciiString name : PROTECTED) {
      if (e - s == name.length() && value.regionMatches(true, s, name.toString(), 0, name.length())) {
        return true;
      }
    }
    return false;
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
      if (e > s && !isProtected(value, s, e)) {
        headers.remove(value.substring(s, e));
      }
      start = end + 1;
    }
  }
}
