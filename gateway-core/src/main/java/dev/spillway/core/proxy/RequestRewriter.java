package dev.spillway.core.proxy;

import dev.spillway.core.http.ForwardingHeaders;
import dev.spillway.core.http.HopByHopHeaders;
import dev.spillway.core.http.MaxForwards;
import dev.spillway.core.http.ProxyHeaders;
import dev.spillway.core.http.RequestFraming;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetAddress;

/**
 * Turns a client's request head into the head sent to a backend: HTTP/1.1, origin-form target, hop-by-hop
 * headers removed, {@code Host} set to the endpoint, forwarding headers and the request id added, and the body
 * framing re-declared for the new hop from the gateway's own framing verdict ({@link RequestFraming}), never
 * from whichever framing headers survived stripping.
 */
public final class RequestRewriter {
  /** The scheme clients reach this gateway with: the listener speaks plain HTTP (TLS ends in front of it). */
  static final String SCHEME = "http";

  private RequestRewriter() {}

  /**
   * Rewrites in place and returns the head to send, with the default forwarding-header policy (an untrusted
   * peer's forwarding headers replaced).
   *
   * @param pathAndQuery the origin-form target
   * @param bodyLength as classified by {@link RequestFraming}
   */
  public static HttpRequest toUpstream(HttpRequest request, String pathAndQuery, long bodyLength, String authority,
      String clientIp, String requestId) {
    return toUpstream(request, pathAndQuery, bodyLength, authority, ForwardingHeaders.DEFAULTS, null, clientIp,
        null, requestId);
  }

  /**
   * Rewrites in place and returns the head to send.
   *
   * @param pathAndQuery the origin-form target
   * @param bodyLength as classified by {@link RequestFraming}
   * @param forwarding the forwarding-header policy
   * @param peer the client connection's peer address, or {@code null}
   * @param targetAuthority the authority of an absolute-form target (which overrides {@code Host}), or
   *     {@code null}
   */
  public static HttpRequest toUpstream(HttpRequest request, String pathAndQuery, long bodyLength, String authority,
      ForwardingHeaders forwarding, InetAddress peer, String clientIp, String targetAuthority, String requestId) {
    HttpHeaders headers = request.headers();
    String originalHost = targetAuthority != null ? targetAuthority : headers.get(HttpHeaderNames.HOST);
    boolean declared = headers.contains(HttpHeaderNames.CONTENT_LENGTH);
    HopByHopHeaders.strip(headers);
    // We answer "100 Continue" ourselves (or reject) before forwarding, so the backend must not wait for it.
    headers.remove(HttpHeaderNames.EXPECT);
    headers.set(HttpHeaderNames.HOST, authority);
    forwarding.apply(headers, peer, clientIp, SCHEME, originalHost);
    MaxForwards.decrement(request.method(), headers);
    ProxyHeaders.appendVia(headers);
    headers.set(ProxyHeaders.X_REQUEST_ID, requestId);
    writeFraming(headers, bodyLength, declared);
    return new DefaultHttpRequest(HttpVersion.HTTP_1_1, request.method(), pathAndQuery, headers);
  }

  /**
   * Declares the body exactly as the gateway's framing verdict has it, whatever headers survived: chunked, a
   * length, or (for a request that declared {@code Content-Length: 0}) an explicit zero.
   */
  static void writeFraming(HttpHeaders headers, long bodyLength, boolean declaredEmpty) {
    headers.remove(HttpHeaderNames.CONTENT_LENGTH);
    headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
    if (bodyLength == RequestFraming.CHUNKED) {
      headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    } else if (bodyLength > 0) {
      headers.set(HttpHeaderNames.CONTENT_LENGTH, bodyLength);
    } else if (declaredEmpty) {
      headers.set(HttpHeaderNames.CONTENT_LENGTH, 0);
    }
  }
}
