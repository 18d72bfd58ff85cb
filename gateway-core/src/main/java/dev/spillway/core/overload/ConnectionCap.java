package dev.spillway.core.overload;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits on the listening channel and sees every accepted connection before it gets a pipeline: one over
 * {@code server.overload.maxConnections} is closed at once, before any allocation for it, and counted; the
 * rejections are logged at most once a second. Accepted connections are uncounted when they close.
 */
@ChannelHandler.Sharable
public final class ConnectionCap extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ConnectionCap.class);
  private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final OverloadManager overload;
  /** Rejections not yet logged; the accept loop is one thread, so plain fields suffice. */
  private long unlogged;
  private long lastLogNanos;
  private boolean logged;

  public ConnectionCap(OverloadManager overload) {
    this.overload = overload;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Channel child = (Channel) msg;
    if (overload.tryOpenConnection()) {
      child.closeFuture().addListener(f -> overload.connectionClosed());
      ctx.fireChannelRead(child);
      return;
    }
    // Not registered with an event loop yet: close the socket directly, as Netty's acceptor does on failure.
    child.unsafe().closeForcibly();
    unlogged++;
    long now = overload.ticker().nanoTime();
    if (!logged || now - lastLogNanos >= LOG_INTERVAL_NANOS) {
      log.warn("closed {} new connection(s) at accept: {} open (server.overload.maxConnections)", unlogged,
          overload.connections());
      unlogged = 0;
      lastLogNanos = now;
      logged = true;
    }
  }
}
