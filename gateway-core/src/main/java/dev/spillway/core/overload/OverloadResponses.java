package dev.spillway.core.overload;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * The answer to a request while {@link OverloadAction#STOP_ACCEPTING} is active: a 503 in OpenAI's error shape
 * with {@code Retry-After}, closing the connection. Body and headers are built once; each answer is a
 * duplicate of a shared, unreleasable buffer, so turning requests away allocates next to nothing.
 */
public final class OverloadResponses {
  /** Seconds a client should wait before retrying. */
  static final int RETRY_AFTER_SECONDS = 1;
  private static final ByteBuf BODY = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(
      ("{\"error\":{\"message\":\"The gateway is overloaded. Please retry shortly.\",\"type\":\"server_error\","
          + "\"param\":null,\"code\":\"gateway_overloaded\"}}\n").getBytes(StandardCharsets.UTF_8)).asReadOnly());
  private static final HttpHeaders HEADERS = DefaultHttpHeadersFactory.headersFactory().newHeaders()
      .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
      .setInt(HttpHeaderNames.CONTENT_LENGTH, BODY.readableBytes())
      .setInt(HttpHeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS)
      .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);

  private OverloadResponses() {}

  /** A fresh 503 for {@code version}; the caller writes it and closes the connection. */
  public static FullHttpResponse stopAccepting(HttpVersion version) {
    DefaultFullHttpResponse response = new DefaultFullHttpResponse(version, HttpResponseStatus.SERVICE_UNAVAILABLE,
        BODY.duplicate(), DefaultHttpHeadersFactory.headersFactory(), DefaultHttpHeadersFactory.trailersFactory());
    response.headers().set(HEADERS);
    return response;
  }
}
