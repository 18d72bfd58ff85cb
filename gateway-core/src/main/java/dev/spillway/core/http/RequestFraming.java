package dev.spillway.core.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import java.util.List;

/**
 * Strict checks of how a request frames its body (RFC 9112 §6). A proxy that tolerates ambiguity here can be
 * used for request smuggling, since the backend may read the framing differently; so anything unclear is
 * rejected and the connection closed.
 */
public final class RequestFraming {
  /** Marks a request with no body. */
  public static final long NO_BODY = 0;
  /** Marks a chunked body, whose length is not known up front. */
  public static final long CHUNKED = -1;

  private RequestFraming() {}

  /** The result: an error, or the body length ({@link #NO_BODY}, {@link #CHUNKED} or the content length). */
  public record Verdict(GatewayError error, long bodyLength) {
    static final Verdict EMPTY = new Verdict(null, NO_BODY);
    static final Verdict CHUNKED_BODY = new Verdict(null, CHUNKED);

    public boolean ok() {
      return error == null;
    }
  }

  /** Checks {@code request}'s framing headers. */
  public static Verdict check(HttpRequest request) {
    HttpHeaders headers = request.headers();
    List<String> te = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
    List<String> cl = headers.getAll(HttpHeaderNames.CONTENT_LENGTH);
    if (!te.isEmpty()) {
      if (!cl.isEmpty()) {
        return new Verdict(GatewayError.AMBIGUOUS_FRAMING, 0);
      }
      if (request.protocolVersion().minorVersion() == 0 && request.protocolVersion().majorVersion() == 1) {
        // HTTP/1.0 has no chunked coding; a 1.0 message with Transfer-Encoding is a smuggling probe.
        return new Verdict(GatewayError.AMBIGUOUS_FRAMING, 0);
      }
      if (te.size() != 1 || !te.get(0).trim().equalsIgnoreCase("chunked")) {
        return new Verdict(GatewayError.UNSUPPORTED_TRANSFER_CODING, 0);
      }
      return Verdict.CHUNKED_BODY;
    }
    if (cl.isEmpty()) {
      return Verdict.EMPTY;
    }
    if (cl.size() != 1) {
      return new Verdict(GatewayError.AMBIGUOUS_FRAMING, 0);
    }
    long length = parseContentLength(cl.get(0));
    if (length < 0) {
      return new Verdict(GatewayError.AMBIGUOUS_FRAMING, 0);
    }
    return length == 0 ? Verdict.EMPTY : new Verdict(null, length);
  }

  /** Parses a Content-Length value: digits only (no sign, no list, no spaces inside), or -1. */
  static long parseContentLength(String value) {
    String v = value.trim();
    if (v.isEmpty() || v.length() > 18) {
      return -1;
    }
    long n = 0;
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }
}
