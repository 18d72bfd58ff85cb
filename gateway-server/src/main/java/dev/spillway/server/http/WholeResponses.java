package dev.spillway.server.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/**
 * The answers of the gateway's own small HTTP servers (the admin server, the public status page): a whole
 * body built in memory, sent once, the connection kept or closed after it. One place for what both do alike,
 * so they frame {@code HEAD} and {@code Connection} the same way.
 */
public final class WholeResponses {
  private WholeResponses() {}

  /**
   * A complete answer with {@code body}; for {@code HEAD} without it, its length declared all the same.
   *
   * @param cacheControl the {@code Cache-Control} the server gives its answers
   */
  public static FullHttpResponse of(HttpResponseStatus status, String type, byte[] body, boolean head,
      String cacheControl) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, type)
        .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
        .set(HttpHeaderNames.CACHE_CONTROL, cacheControl);
    return response;
  }

  /** Writes {@code response} and keeps the connection, or closes it once the answer is written. */
  public static void write(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
    if (keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(response);
    } else {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
