package dev.spillway.server.mock;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The mock's provider mode: a request passes only if it carries the configured key, as
 * {@code Authorization: Bearer <key>} (OpenAI), {@code api-key} (Azure) or {@code x-api-key} (Anthropic), and no
 * other key in any of these headers. Anything else gets {@code 401} in OpenAI's error shape, as the provider
 * would answer, and the rest of its body is dropped.
 */
final class ProviderKeyCheck extends ChannelInboundHandlerAdapter {
  static final byte[] INVALID_KEY_BODY = ("{\"error\":{\"message\":\"Incorrect API key provided.\","
      + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}\n")
      .getBytes(StandardCharsets.UTF_8);

  private final byte[] key;
  /** Dropping the body of a refused request. */
  private boolean discarding;

  ProviderKeyCheck(String key) {
    this.key = key.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest request) {
      if (accepted(request.headers())) {
        ctx.fireChannelRead(msg);
        return;
      }
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      discarding = !(msg instanceof LastHttpContent);
      ReferenceCountUtil.release(msg);
      FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(),
          HttpResponseStatus.UNAUTHORIZED, Unpooled.wrappedBuffer(INVALID_KEY_BODY));
      response.headers()
          .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
          .setInt(HttpHeaderNames.CONTENT_LENGTH, INVALID_KEY_BODY.length);
      if (!keepAlive) {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      } else {
        ctx.writeAndFlush(response);
      }
      return;
    }
    if (discarding && msg instanceof HttpContent) {
      discarding = !(msg instanceof LastHttpContent);
      ReferenceCountUtil.release(msg);
      return;
    }
    ctx.fireChannelRead(msg);
  }

  private boolean accepted(HttpHeaders headers) {
    boolean seen = false;
    for (String value : headers.getAll(HttpHeaderNames.AUTHORIZATION)) {
      if (!value.regionMatches(true, 0, "Bearer ", 0, 7) || !same(value.substring(7).trim())) {
        return false;
      }
      seen = true;
    }
    for (String name : new String[] {"api-key", "x-api-key"}) {
      for (String value : headers.getAll(name)) {
        if (!same(value.trim())) {
          return false;
        }
        seen = true;
      }
    }
    return seen;
  }

  private boolean same(String presented) {
    return MessageDigest.isEqual(key, presented.getBytes(StandardCharsets.UTF_8));
  }
}
