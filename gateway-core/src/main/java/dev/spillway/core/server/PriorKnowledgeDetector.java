package dev.spillway.core.server;

import dev.spillway.core.proxy.ProxyContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.util.List;

/**
 * Tells a plain-text HTTP/2 client (prior knowledge, RFC 9113 §3.3) from an HTTP/1.1 one by the first bytes
 * it sends: the HTTP/2 connection preface ({@code PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n}) or anything else. As soon as
 * a byte differs from the preface the connection is HTTP/1.1 (the first byte, for any request but one starting
 * with {@code P}); once the whole preface has arrived it is HTTP/2. Either way this handler replaces itself with
 * that protocol's handlers and hands them the bytes read so far.
 *
 * <p>It sits in front of the HTTP/1.1 handlers, which are in place from the start: they do the first read and run
 * the client timeout, so a client that sends nothing, or stops inside the preface, is closed as an idle HTTP/1.1
 * connection is. For HTTP/2 they are replaced.
 */
final class PriorKnowledgeDetector extends ByteToMessageDecoder {
  private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

  private final ProxyContext shared;

  PriorKnowledgeDetector(ProxyContext shared) {
    this.shared = shared;
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
      ctx.pipeline().remove(GatewayChannelInitializer.PROXY);
      ctx.pipeline().remove(GatewayChannelInitializer.CODEC);
      Http2ServerPipeline.addTo(ctx.pipeline(), shared);
    }
    // Removing a decoder passes the bytes it holds on to the handlers behind it.
    ctx.pipeline().remove(this);
  }
}
