package dev.spillway.core.proxy;

import dev.spillway.core.http.HopByHopHeaders;
import dev.spillway.core.http.ProxyHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Turns a backend's response head into the head sent to the client: hop-by-hop headers removed, framing
 * re-declared for the client's protocol version, the request id and {@code Via} added, and the connection's
 * fate ({@code Connection: close} or keep-alive) declared.
 */
final class ResponseRewriter {
  private ResponseRewriter() {}

  /** Whether a response to {@code method} with {@code status} carries a body (RFC 9112 §6.3). */
  static boolean mayHaveBody(HttpMethod method, int status) {
    return !HttpMethod.HEAD.equals(method) && status >= 200 && status != 204 && status != 304;
  }

  /**
   * Rewrites {@code response} in place for the client.
   *
   * @param keepAlive whether the client connection stays open after this response; the caller must also
   *     pass {@code false} when the result is close-delimited (see the return value)
   * @return {@code false} if the body must be delimited by closing the connection (an HTTP/1.0 client and
   *     no Content-Length), so the caller must not keep the connection alive
   */
  static boolean toClient(HttpResponse response, HttpMethod method, HttpVersion clientVersion, String requestId,
      boolean keepAlive) {
    HttpHeaders headers = response.headers();
    // The backend's framing as its decoder read it: a chunked body's Content-Length (if any) says nothing.
    boolean chunked = HttpUtil.isTransferEncodingChunked(response);
    HopByHopHeaders.strip(headers);
    if (chunked || isEventStream(response)) {
      // An event stream is always re-framed: the gateway may add heartbeats or a final error event, or remove
      // the usage chunk it asked for, so a backend's Content-Length would no longer be true.
      headers.remove(HttpHeaderNames.CONTENT_LENGTH);
    }
    boolean framed = true;
    if (mayHaveBody(method, response.status().code()) && !headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
      if (clientVersion.minorVersion() >= 1) {
        headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      } else {
        framed = false;
      }
    }
    String upstreamId = headers.get(ProxyHeaders.X_REQUEST_ID);
    if (upstreamId != null && !upstreamId.equals(requestId)) {
      // Keep the backend's own id (e.g. OpenAI's) for support tickets, but the gateway's id is the one we log.
      headers.set(ProxyHeaders.X_UPSTREAM_REQUEST_ID, upstreamId);
    }
    headers.set(ProxyHeaders.X_REQUEST_ID, requestId);
    ProxyHeaders.appendVia(headers);
    response.setProtocolVersion(clientVersion);
    if (!keepAlive || !framed) {
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (clientVersion.minorVersion() == 0) {
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    return framed;
  }

  /** Whether a response head is Server-Sent Events, which gets an in-band error event if the backend fails. */
  static boolean isEventStream(HttpResponse response) {
    String type = response.headers().get(HttpHeaderNames.CONTENT_TYPE);
    return type != null && type.regionMatches(true, 0, "text/event-stream", 0, 17);
  }
}
