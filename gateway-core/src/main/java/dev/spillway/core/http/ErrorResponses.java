package dev.spillway.core.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Builds the gateway's own error answers from the pre-encoded bodies in {@link GatewayError}. The bodies are
 * wrapped, not copied; the wrapper is released by the encoder like any other message.
 */
public final class ErrorResponses {
  private ErrorResponses() {}

  /**
   * A complete JSON error response.
   *
   * @param requestId echoed in {@code x-request-id}, or {@code null}
   * @param close whether to add {@code Connection: close}
   */
  public static FullHttpResponse json(GatewayError error, HttpVersion version, String requestId, boolean close) {
    ByteBuf body = Unpooled.wrappedBuffer(error.jsonBody());
    FullHttpResponse response = new DefaultFullHttpResponse(version, error.status(), body);
    HttpHeaders h = response.headers();
    h.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    h.setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
    if (requestId != null) {
      h.set(ProxyHeaders.X_REQUEST_ID, requestId);
    }
    if (close) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (version == HttpVersion.HTTP_1_0) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    return response;
  }

  /** The gateway's own answer to {@code OPTIONS} with {@code Max-Forwards: 0}: 200, its methods in Allow. */
  public static FullHttpResponse options(HttpVersion version, String requestId, boolean close) {
    FullHttpResponse response = new DefaultFullHttpResponse(version, io.netty.handler.codec.http.HttpResponseStatus.OK,
        Unpooled.EMPTY_BUFFER);
    HttpHeaders h = response.headers();
    h.set(HttpHeaderNames.ALLOW, "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
    h.setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
    if (requestId != null) {
      h.set(ProxyHeaders.X_REQUEST_ID, requestId);
    }
    if (close) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (version == HttpVersion.HTTP_1_0) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    return response;
  }

  /** The error as a final SSE event, for a stream whose headers were already sent. */
  public static HttpContent sseEvent(GatewayError error) {
    return new DefaultHttpContent(Unpooled.wrappedBuffer(error.sseEvent()));
  }
}
