package dev.spillway.core.server;

import dev.spillway.core.proxy.ProxyContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Tells a plain-text HTTP/2 client (prior knowledge, RFC 9113 §3.3) from an HTTP/1.1 one by the first bytes
 * it sends: the HTTP/2 connection preface ({@code PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n}) or anything else. As soon as
 * a byte differs from the preface the connection is HTTP/1.1 (the first byte, for any request but one starting
 * with {@code P}); once the whole preface has arrived it is HTTP/2. Either way this handler replaces itself with
 * that protocol's handlers and hands them the bytes read so far.
 *
 * <p>A client that sends nothing, or stops inside the preface, is closed after {@code server.clientTimeout}, as
 * an idle HTTP/1.1 connection would be.
 */
final class PriorKnowledgeDetector extends ByteToMessageDecoder {
  private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

  private final ProxyContext shared;
  private ScheduledFuture<?> timeout;

  PriorKnowledgeDetector(ProxyContext shared) {
    this.shared = shared;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    timeout = ctx.executor().schedule(() -> {
      ctx.close();
    }, shared.server().clientTimeout().toNanos(), TimeUnit.NANOSECONDS);
    ctx.read();
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
    if (!ByteBufUtil.equals(in, in.readerIndex(), PREFACE, PREFACE.readerIndex(), n)) {
      switchTo(ctx, false);
    } else if (n == PREFACE.readableBytes()) {
      switchTo(ctx, true);
    }
    // Otherwise a prefix of the preface: wait for more (the decoder asks for the next read).
  }

  private void switchTo(ChannelHandlerContext ctx, boolean http2) {
    if (http2) {
      Http2ServerPipeline.addTo(ctx.pipeline(), shared);
    } else {
      GatewayChannelInitializer.addHttp1(ctx.pipeline(), shared);
    }
    // Removing a decoder passes the bytes it holds on to the handlers just added.
    ctx.pipeline().remove(this);
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    if (timeout != null) {
      timeout.cancel(false);
    }
  }
}
