package dev.spillway.core.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Exception;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection-level concerns of one HTTP/2 client connection, after Netty's frame codec and stream
 * multiplexer (which enforce the concurrent-stream cap, the reset cap, header-list sizes and flow control):
 * <ul>
 *   <li>draining: on {@link DrainEvent} the connection is closed gracefully, which sends {@code GOAWAY} naming
 *       the last stream the gateway will answer and closes once those streams are done (or after
 *       {@code server.shutdownTimeout});</li>
 *   <li>the client timeout: a connection with no open stream for longer than {@code server.clientTimeout} is
 *       closed the same way;</li>
 *   <li>the first read: the channel runs with {@code AUTO_READ} off, and the codec keeps reading once started
 *       (flow control, not reads, paces an HTTP/2 client).</li>
 * </ul>
 */
public final class Http2ClientConnection extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(Http2ClientConnection.class);

  private final ProxyContext shared;
  private final Http2Connection connection;
  private ClientTimeout idle;

  /** @param connection the codec's view of the connection's streams */
  public Http2ClientConnection(ProxyContext shared, Http2Connection connection) {
    this.shared = shared;
    this.connection = connection;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      begin(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    begin(ctx);
    ctx.fireChannelActive();
  }

  private void begin(ChannelHandlerContext ctx) {
    if (idle != null) {
      return;
    }
    idle = new ClientTimeout(ctx.executor(), shared.server().clientTimeout().toNanos(), shared.overload(),
        () -> connection.numActiveStreams() == 0, () -> {
          log.debug("HTTP/2 client connection {} idle; closing", ctx.channel());
          ctx.close();
        });
    idle.start();
    if (shared.isDraining()) {
      ctx.close();
      return;
    }
    ctx.read();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt == DrainEvent.INSTANCE) {
      // Graceful: GOAWAY now, the close once the streams already accepted have been answered.
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (idle != null) {
      idle.cancel();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("HTTP/2 client connection {} failed", ctx.channel(), cause);
    if (cause instanceof Http2Exception) {
      // The codec answers a protocol error itself, with the GOAWAY that names it (a close here would send
      // a graceful NO_ERROR one first).
      return;
    }
    ctx.close();
  }
}
