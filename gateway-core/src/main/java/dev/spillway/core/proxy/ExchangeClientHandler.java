package dev.spillway.core.proxy;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;

/**
 * What both client sides of an exchange, an HTTP/1.1 connection ({@link ClientConnectionHandler}) and an HTTP/2
 * stream ({@link Http2StreamHandler}), do alike: start the client timeout and the first read once, whether the
 * handler is added before or after its channel becomes active (channels run with {@code AUTO_READ} off), and
 * read again, with the client timer reset, when the backend drains. The subclasses say when the client is the
 * one awaited and what a timeout does.
 */
abstract class ExchangeClientHandler extends ChannelDuplexHandler implements ExchangeClient {
  final ProxyContext shared;
  ChannelHandlerContext ctx;
  /** Started by {@link #begin}; {@code null} before. */
  ClientTimeout clientTimeout;
  private boolean begun;

  ExchangeClientHandler(ProxyContext shared) {
    this.shared = shared;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    if (ctx.channel().isActive()) {
      begin();
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    begin();
    ctx.fireChannelActive();
  }

  /** Starts the client timer and the first read, once, whether added before or after activation. */
  private void begin() {
    if (begun) {
      return;
    }
    begun = true;
    clientTimeout = new ClientTimeout(ctx.executor(), shared.server().clientTimeout().toNanos(), shared.overload(),
        this::waitingOnClient, this::onClientTimeout);
    clientTimeout.start();
    onBegin();
    ctx.read();
  }

  /** Runs once, as the client timer has started and before the first read. */
  void onBegin() {}

  /** Whether the client is what this side waits for now (so the client timeout applies). */
  abstract boolean waitingOnClient();

  /** The client kept this side waiting for longer than the client timeout. */
  abstract void onClientTimeout();

  /** The backend can take more of the request body again. */
  @Override
  public void resumeReading() {
    clientTimeout.progress();
    maybeRead();
  }

  @Override
  public ChannelHandlerContext context() {
    return ctx;
  }
}
