package dev.spillway.core.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a client connection the gateway refused mid-request without losing the refusal (nginx's
 * {@code lingering_close}): closing a socket whose receive buffer still holds unread request bytes makes the
 * kernel send a reset, and a client still sending its request may then lose the answer that was already on
 * its way. So, once the answer is written, the gateway's side is shut for output (the client sees the end of
 * the response), and whatever the client still sends is read and dropped until it stops, for at most
 * {@link #MAX_LINGER_NANOS} or {@link #MAX_DISCARD_BYTES}, after which the connection is closed regardless.
 *
 * <p>Over TLS, or on a channel that cannot half-close, the connection is simply closed after the write.
 */
final class LingeringClose extends ChannelInboundHandlerAdapter {
  static final long MAX_LINGER_NANOS = TimeUnit.SECONDS.toNanos(2);
  static final long MAX_DISCARD_BYTES = 256 * 1024;

  private long discarded;
  private ScheduledFuture<?> deadline;

  private LingeringClose() {}

  /** Closes {@code channel} once {@code written} completes, lingering where that is possible. */
  static void afterWrite(Channel channel, ChannelFuture written) {
    written.addListener(f -> {
      if (!f.isSuccess() || !(channel instanceof DuplexChannel duplex) || channel.pipeline().get(SslHandler.class) != null
          || !channel.isActive()) {
        channel.close();
        return;
      }
      LingeringClose linger = new LingeringClose();
      channel.pipeline().addFirst("linger", linger);
      duplex.shutdownOutput().addListener(s -> {
        if (!s.isSuccess()) {
          channel.close();
        }
      });
    });
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    deadline = ctx.executor().schedule(() -> ctx.close(), MAX_LINGER_NANOS, TimeUnit.NANOSECONDS);
    ctx.read();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf buf) {
      discarded += buf.readableBytes();
    }
    ReferenceCountUtil.release(msg);
    if (discarded > MAX_DISCARD_BYTES) {
      ctx.close();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      ctx.read();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    // The client finished sending (input shut down): nothing more to wait for.
    if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (deadline != null) {
      deadline.cancel(false);
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
