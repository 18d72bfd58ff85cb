package dev.spillway.core.proxy;

import dev.spillway.core.http.ErrorResponses;
import dev.spillway.core.http.GatewayError;
import dev.spillway.core.http.RejectedHead;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: runs its requests one after another through {@link ProxyExchange}s, holds pipelined
 * requests until their turn, enforces the client timeout, and decides when to read from the socket.
 *
 * <p>Pipeline: {@code HttpServerCodec → ClientConnectionHandler}. The channel runs with {@code AUTO_READ} off;
 * this handler calls {@code read()} only when it wants bytes, which is how a slow backend throttles a client's
 * upload.
 *
 * <p>Ownership: every inbound message is passed to an exchange, parked in the pipelining queue (and later
 * passed on), or released.
 */
public final class ClientConnectionHandler extends ChannelDuplexHandler {
  private static final Logger log = LoggerFactory.getLogger(ClientConnectionHandler.class);

  private final ProxyContext shared;
  private final long clientTimeoutNanos;
  private ChannelHandlerContext ctx;
  private ProxyExchange exchange;
  /** Messages of requests that arrived while an earlier one was still being answered. */
  private final ArrayDeque<Object> pipelined = new ArrayDeque<>(2);
  private boolean closing;
  private boolean begun;
  private long lastClientProgressNanos;
  private ScheduledFuture<?> clientTimer;

  public ClientConnectionHandler(ProxyContext shared) {
    this.shared = shared;
    this.clientTimeoutNanos = shared.server().clientTimeout().toNanos();
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
    lastClientProgressNanos = now();
    scheduleClientTimer(clientTimeoutNanos);
    ctx.read();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    lastClientProgressNanos = now();
    if (closing) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (!pipelined.isEmpty() || (exchange != null && exchange.requestComplete())) {
      pipelined.add(msg);
      return;
    }
    dispatch(msg);
  }

  private void dispatch(Object msg) {
    if (exchange != null) {
      if (msg instanceof HttpContent content) {
        exchange.onRequestContent(content);
      } else {
        // A new head while the body of the current request is still expected cannot happen with a
        // conforming decoder; treat it as garbage rather than guess.
        ReferenceCountUtil.release(msg);
        closeNow();
      }
      return;
    }
    if (msg instanceof HttpRequest request) {
      DecoderResult result = request.decoderResult();
      if (result.isFailure()) {
        ReferenceCountUtil.release(msg);
        rejectUnparseable(result.cause());
        return;
      }
      if (shared.isDraining()) {
        ReferenceCountUtil.release(msg);
        respondAndClose(GatewayError.SHUTTING_DOWN, request.protocolVersion());
        return;
      }
      exchange = new ProxyExchange(this, shared, request);
      exchange.start();
    } else {
      // The rest of a request we already answered (e.g. its empty LastHttpContent), or the tail of a request
      // rejected before we decided to close.
      ReferenceCountUtil.release(msg);
    }
  }

  private void rejectUnparseable(Throwable cause) {
    respondAndClose(RejectedHead.errorFor(cause), HttpVersion.HTTP_1_1);
  }

  private void respondAndClose(GatewayError error, HttpVersion version) {
    closing = true;
    ctx.writeAndFlush(ErrorResponses.json(error, version, null, true)).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (exchange != null) {
      exchange.onClientReadComplete();
    }
    maybeRead();
    ctx.fireChannelReadComplete();
  }

  /** Asks for more bytes unless the current exchange is throttled by its backend or requests are queued. */
  void maybeRead() {
    if (closing || !pipelined.isEmpty()) {
      return;
    }
    if (exchange == null || exchange.wantsClientData()) {
      ctx.read();
    }
  }

  /** The backend can take more of the request body again. */
  void resumeReading() {
    lastClientProgressNanos = now();
    maybeRead();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (exchange != null) {
      exchange.onClientWritabilityChanged(ctx.channel().isWritable());
    }
    ctx.fireChannelWritabilityChanged();
  }

  /**
   * The current exchange has written its whole response (or its error answer).
   *
   * @param keepAlive whether the connection may carry the next request
   */
  void exchangeFinished(ProxyExchange finished, boolean keepAlive) {
    if (exchange != finished) {
      return;
    }
    if (keepAlive && finished.isDiscarding()) {
      // Answered early: it stays current until the rest of its body has been read and dropped.
      maybeRead();
      return;
    }
    exchange = null;
    if (!keepAlive || shared.isDraining()) {
      closeAfterFlush();
      return;
    }
    lastClientProgressNanos = now();
    Object msg;
    while (exchange == null && !closing && (msg = pipelined.poll()) != null) {
      dispatch(msg);
    }
    // Messages for the new exchange that arrived behind its head.
    while (exchange != null && !closing && !exchange.requestComplete() && (msg = pipelined.peek()) instanceof HttpContent) {
      pipelined.poll();
      dispatch(msg);
    }
    if (exchange != null) {
      exchange.onClientReadComplete();
    }
    maybeRead();
  }

  /** The exchange broke off mid-response: drop the connection once what was written is flushed. */
  void closeAfterFlush() {
    if (closing) {
      return;
    }
    closing = true;
    releasePipelined();
    ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
  }

  private void closeNow() {
    closing = true;
    releasePipelined();
    ctx.close();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt == DrainEvent.INSTANCE) {
      if (exchange == null && !closing) {
        closeNow();
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closing = true;
    if (clientTimer != null) {
      clientTimer.cancel(false);
      clientTimer = null;
    }
    ProxyExchange current = exchange;
    exchange = null;
    if (current != null) {
      current.onClientClosed();
    }
    releasePipelined();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Resets and broken pipes are a client's right; log at debug so a flood of them cannot flood the log.
    log.debug("client connection {} failed", ctx.channel(), cause);
    closeNow();
  }

  private void releasePipelined() {
    Object msg;
    while ((msg = pipelined.poll()) != null) {
      ReferenceCountUtil.release(msg);
    }
  }

  /**
   * Closes connections whose client is the one keeping us waiting: idle between requests, or silent in the
   * middle of a request body, for longer than {@code server.clientTimeout}. Time spent waiting on the backend
   * does not count.
   */
  private void onClientTimer() {
    clientTimer = null;
    if (closing) {
      return;
    }
    boolean waitingOnClient = exchange == null || exchange.isWaitingOnClient();
    if (!waitingOnClient) {
      lastClientProgressNanos = now();
      scheduleClientTimer(clientTimeoutNanos);
      return;
    }
    long idle = now() - lastClientProgressNanos;
    if (idle < clientTimeoutNanos) {
      scheduleClientTimer(clientTimeoutNanos - idle);
      return;
    }
    if (exchange == null) {
      closeNow();
    } else {
      exchange.onClientTimeout();
    }
  }

  private void scheduleClientTimer(long delayNanos) {
    clientTimer = ctx.executor().schedule(this::onClientTimer, delayNanos, TimeUnit.NANOSECONDS);
  }

  ChannelHandlerContext context() {
    return ctx;
  }

  long now() {
    return ctx.executor().ticker().nanoTime();
  }
}
