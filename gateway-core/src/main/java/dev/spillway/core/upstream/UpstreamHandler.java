package dev.spillway.core.upstream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of a backend connection's pipeline ({@code HttpClientCodec} → this). It hands events to
 * the exchange that currently owns the connection, or, while the connection idles in the pool, treats any
 * data as a protocol violation and closes it.
 *
 * <p>Ownership: every message is either passed to the listener (which then owns it) or released here.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {
  private UpstreamListener listener;
  /** True between a 1xx informational head and its (empty) end, which must be swallowed too. */
  private boolean skippingInformational;

  void attach(UpstreamListener listener) {
    this.listener = listener;
  }

  void detach() {
    this.listener = null;
    this.skippingInformational = false;
  }

  boolean isAttached() {
    return listener != null;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    UpstreamListener l = listener;
    if (l == null) {
      // An idle pooled connection received bytes: the backend is confused; don't reuse it.
      ReferenceCountUtil.release(msg);
      ctx.close();
      return;
    }
    if (msg instanceof HttpResponse response && response.decoderResult().isSuccess() && isInformational(response)) {
      skippingInformational = !(msg instanceof HttpContent);
      ReferenceCountUtil.release(msg);
      return;
    }
    if (skippingInformational && msg instanceof HttpContent) {
      if (msg instanceof io.netty.handler.codec.http.LastHttpContent) {
        skippingInformational = false;
      }
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpResponse response) {
      l.onResponseHead(response);
      if (msg instanceof HttpContent content) {
        // A FullHttpResponse (only produced for decode failures): the head did not take the body.
        l.onResponseContent(content);
      }
    } else if (msg instanceof HttpContent content) {
      l.onResponseContent(content);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private static boolean isInformational(HttpResponse response) {
    HttpResponseStatus status = response.status();
    return status.codeClass() == HttpStatusClass.INFORMATIONAL
        && status.code() != HttpResponseStatus.SWITCHING_PROTOCOLS.code();
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    UpstreamListener l = listener;
    if (l != null) {
      l.onUpstreamReadComplete();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    UpstreamListener l = listener;
    if (l != null) {
      l.onUpstreamWritabilityChanged(ctx.channel().isWritable());
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    UpstreamListener l = listener;
    listener = null;
    if (l != null) {
      l.onUpstreamClosed();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    UpstreamListener l = listener;
    listener = null;
    ctx.close();
    if (l != null) {
      l.onUpstreamError(cause);
    }
  }
}
