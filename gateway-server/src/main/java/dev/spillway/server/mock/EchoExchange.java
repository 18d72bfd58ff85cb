package dev.spillway.server.mock;

import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * {@code POST /debug/echo}: streams the request body back as a chunked {@code application/octet-stream}
 * response while it arrives. Reading pauses whenever the connection is not writable, so an echo of any size
 * holds at most about one write-buffer's worth of data.
 *
 * <p>Ownership: each body part's buffer is forwarded to the response; empty parts are released.
 */
final class EchoExchange extends Exchange {
  private boolean headersSent;

  EchoExchange(ChannelHandlerContext ctx, MockState state, RequestRouter router) {
    super(ctx, state, router);
  }

  @Override
  void onContent(HttpContent content, boolean last) {
    if (!headersSent) {
      headersSent = true;
      HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM);
      HttpUtil.setTransferEncodingChunked(response, true);
      ctx.write(response, ctx.voidPromise());
    }
    if (content.content().isReadable()) {
      // Re-wrapped so trailers the client sent with its last chunk are not echoed as ours.
      ctx.write(new DefaultHttpContent(content.content()), ctx.voidPromise());
    } else {
      content.release();
    }
    if (last) {
      resumeReading();
      finish(LastHttpContent.EMPTY_LAST_CONTENT);
      return;
    }
    ctx.flush();
    if (!ctx.channel().isWritable()) {
      ctx.channel().config().setAutoRead(false);
    }
  }

  @Override
  void onWritabilityChanged() {
    if (ctx.channel().isWritable()) {
      resumeReading();
    }
  }

  private void resumeReading() {
    ChannelConfig config = ctx.channel().config();
    if (!config.isAutoRead()) {
      config.setAutoRead(true);
    }
  }
}
