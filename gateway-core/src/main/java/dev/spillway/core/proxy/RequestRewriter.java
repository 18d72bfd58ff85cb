package dev.spillway.core.proxy;

import dev.spillway.core.http.HopByHopHeaders;
import dev.spillway.core.http.ProxyHeaders;
import dev.spillway.core.http.RequestFraming;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Turns a client's request head into the head sent to a backend: HTTP/1.1, origin-form target, hop-by-hop
 * headers removed, {@code Host} set to the endpoint, forwarding headers and the request id added, and the body
 * framing re-declared for the new hop.
 */
public final class RequestRewriter {
  private RequestRewriter() {}

  /**
   * Rewrites in place and returns the head to send.
   *
   * @param pathAndQuery the origin-form target
   * @param bodyLength as classified by {@link RequestFraming}
   */
  public static HttpRequest toUpstream(HttpRequest request, String pathAndQuery, long bodyLength, String authority,
      String clientIp, String requestId) {
    HttpHeaders headers = request.headers();
    String originalHost = headers.get(HttpHeaderNames.HOST);
    HopByHopHeaders.strip(headers);
    // We answer "100 Continue" ourselves (or reject) before forwarding, so the backend must not wait for it.
    headers.remove(HttpHeaderNames.EXPECT);
    headers.set(HttpHeaderNames.HOST, authority);
    ProxyHeaders.addForwarded(headers, clientIp, originalHost);
    headers.set(ProxyHeaders.X_REQUEST_ID, requestId);
    if (bodyLength == RequestFraming.CHUNKED) {
      headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    }
    return new DefaultHttpRequest(HttpVersion.HTTP_1_1, request.method(), pathAndQuery, headers);
  }
}
