package dev.spillway.core.proxy;

import dev.spillway.core.http.ErrorResponses;
import dev.spillway.core.http.GatewayError;
import dev.spillway.core.http.RejectedHead;
import dev.spillway.core.overload.OverloadResponses;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: runs its requests one after another through {@link ProxyExchange}s, holds pipelined
 * requests until their turn, enforces the client timeout, and decides when to read from the socket.
 *
 * <p>Pipeline: {@code [SslHandler →] GatewayServerCodec → ClientConnectionHandler}. The channel runs with {@code AUTO_READ} off;
 * this handler calls {@code read()} only when it wants bytes, which is how a slow backend throttles a client's
 * upload.
 *
 * <p>Ownership: every inbound message is passed to an exchange, parked in the pipelining queue (and later
 * passed on), or released.
 *
 * <p>Protection from the client itself: nothing is read and no parked request is started while the client is
 * not writable (it is not reading its answers), so answers cannot pile up in memory; at most
 * {@link #MAX_PIPELINED_REQUESTS} requests are parked, a client pipelining deeper is answered up to that depth
 * and then disconnected; parked requests are started by a loop, never by recursion, however many are answered
 * at once; and a connection that still owes the rest of a body after an early answer is closed when the body
 * does not come within {@link #DISCARD_TIMEOUT} (or at once on drain).
 */
public final class ClientConnectionHandler extends ExchangeClientHandler {
  private static final Logger log = LoggerFactory.getLogger(ClientConnectionHandler.class);
  static final int MAX_PIPELINED_REQUESTS = PipelinedRequests.MAX_REQUESTS;
  /** Longest wait for the rest of a body the gateway already answered (bounded by the client timeout). */
  static final Duration DISCARD_TIMEOUT = Duration.ofSeconds(5);

  /** Where the connection stands. */
  private enum State {
    /** Reading and serving requests. */
    OPEN,
    /** Pipelined past the cap: serves what is parked, reads nothing more, then closes. */
    LAST_REQUESTS,
    /** Closing or closed: everything inbound is dropped. */
    CLOSING
  }

  private ProxyExchange exchange;
  /** Messages of requests that arrived while an earlier one was still being answered. */
  private final PipelinedRequests pipelined = new PipelinedRequests();
  private State state = State.OPEN;
  /** Set while {@link #serveParked} runs, so an exchange finishing inside it does not start a nested loop. */
  private boolean serving;
  private DiscardDeadline discardDeadline;

  public ClientConnectionHandler(ProxyContext shared) {
    super(shared);
  }

  /** Replaced by another protocol's handlers (HTTP/2 with prior knowledge): its timers go with it. */
  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    stopTimers();
  }

  private void stopTimers() {
    if (clientTimeout != null) {
      clientTimeout.cancel();
      discardDeadline.cancel();
    }
  }

  @Override
  void onBegin() {
    discardDeadline = new DiscardDeadline(ctx.executor(), this::onDiscardTimeout);
  }

  @Override
  boolean waitingOnClient() {
    return state != State.CLOSING && (exchange == null || exchange.isWaitingOnClient());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    clientTimeout.progress();
    if (state != State.OPEN) {
      ReferenceCountUtil.release(msg);
      return;
    }
    boolean mustPark = !pipelined.isEmpty() || (exchange != null && exchange.requestComplete())
        || (exchange == null && !ctx.channel().isWritable());
    if (mustPark) {
      park(msg);
      return;
    }
    dispatch(msg);
  }

  private void park(Object msg) {
    if (!pipelined.park(msg)) {
      // Deeper pipelining than any real client uses: answer what is parked, then hang up.
      state = State.LAST_REQUESTS;
      stopDecoding();
      log.debug("client connection {} pipelined more than {} requests; closing after them", ctx.channel(),
          MAX_PIPELINED_REQUESTS);
    }
  }

  /**
   * Removes the request decoder, so the rest of what the client sent is not parsed into requests nobody will
   * answer (the encoder stays for the parked requests' answers; raw bytes that reach this handler are dropped).
   */
  private void stopDecoding() {
    // The server codec (GatewayServerCodec, or Netty's HttpServerCodec in some tests) is a combined
    // decoder/encoder; either way only its decoder goes.
    for (var entry : ctx.pipeline()) {
      if (entry.getValue() instanceof CombinedChannelDuplexHandler<?, ?> codec) {
        codec.removeInboundHandler();
        return;
      }
    }
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
        respondAndClose(RejectedHead.errorFor(result.cause()), HttpVersion.HTTP_1_1);
        return;
      }
      switch (RequestIntake.verdict(shared)) {
        case DRAINING -> {
          ReferenceCountUtil.release(msg);
          respondAndClose(GatewayError.SHUTTING_DOWN, request.protocolVersion());
          return;
        }
        case STOP_ACCEPTING -> {
          ReferenceCountUtil.release(msg);
          state = State.CLOSING;
          pipelined.releaseAll();
          ctx.writeAndFlush(OverloadResponses.stopAccepting(request.protocolVersion()))
              .addListener(ChannelFutureListener.CLOSE);
          return;
        }
        case ACCEPT -> { }
      }
      exchange = new ProxyExchange(this, shared, request);
      exchange.start();
    } else {
      // The rest of a request we already answered (e.g. its empty LastHttpContent), or the tail of a request
      // rejected before we decided to close.
      ReferenceCountUtil.release(msg);
    }
  }

  private void respondAndClose(GatewayError error, HttpVersion version) {
    state = State.CLOSING;
    pipelined.releaseAll();
    LingeringClose.afterWrite(ctx.channel(), ctx.writeAndFlush(ErrorResponses.json(error, version, null, true)));
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (exchange != null) {
      exchange.onClientReadComplete();
    }
    maybeRead();
    ctx.fireChannelReadComplete();
  }

  /**
   * Asks for more bytes unless the current exchange is throttled by its backend, requests are parked, or the
   * client is not reading its answers (only an upload in progress is read regardless: its backend throttles
   * it).
   */
  @Override
  public void maybeRead() {
    if (state != State.OPEN || !pipelined.isEmpty()) {
      return;
    }
    boolean uploading = exchange != null && !exchange.isDone() && !exchange.requestComplete();
    if (!uploading && !ctx.channel().isWritable()) {
      return;
    }
    if (exchange == null || exchange.wantsClientData()) {
      ctx.read();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    boolean writable = ctx.channel().isWritable();
    if (exchange != null) {
      exchange.onClientWritabilityChanged(writable);
    }
    if (writable) {
      serveParked();
    }
    ctx.fireChannelWritabilityChanged();
  }

  /**
   * The current exchange has written its whole response (or its error answer).
   *
   * @param keepAlive whether the connection may carry the next request
   */
  @Override
  public void exchangeFinished(ProxyExchange finished, boolean keepAlive) {
    if (exchange != finished) {
      return;
    }
    if (keepAlive && finished.isDiscarding()) {
      if (shared.isDraining()) {
        exchange = null;
        closeAfterFlush();
        return;
      }
      // Answered early: it stays current until the rest of its body has been read and dropped, for a while.
      discardDeadline.start(Math.min(DISCARD_TIMEOUT.toNanos(), clientTimeout.timeoutNanos()));
      if (!serving) {
        maybeRead();
      }
      return;
    }
    discardDeadline.cancel();
    exchange = null;
    // Not the overload manager's keep-alive switch: the answer's head, written before it may have turned,
    // told the client it may send its next request here, and a close now would reset that request. The next
    // answer carries the close. A drain ends the connection after the request under way all the same.
    if (!keepAlive || shared.isDraining()) {
      closeAfterFlush();
      return;
    }
    clientTimeout.progress();
    serveParked();
  }

  /**
   * Starts parked requests one after another while the client reads its answers, passing each its parked
   * body, then reads on. A loop rather than recursion: requests answered early finish inside {@link #dispatch},
   * and thousands may be parked.
   */
  private void serveParked() {
    if (serving) {
      return; // the loop further up the stack continues
    }
    serving = true;
    try {
      Object next;
      while (state != State.CLOSING && (next = pipelined.peek()) != null) {
        if (exchange == null) {
          if (!ctx.channel().isWritable()) {
            break;
          }
          dispatch(pipelined.poll());
        } else if (!exchange.requestComplete() && next instanceof HttpContent) {
          // Body of the current request that arrived behind its head (or the rest of one being discarded).
          dispatch(pipelined.poll());
        } else {
          break;
        }
      }
    } finally {
      serving = false;
    }
    if (state == State.LAST_REQUESTS && exchange == null && pipelined.isEmpty()) {
      closeAfterFlush();
      return;
    }
    if (exchange != null) {
      exchange.onClientReadComplete();
    }
    maybeRead();
  }

  private void onDiscardTimeout() {
    if (exchange != null && exchange.isDiscarding() && state != State.CLOSING) {
      // The client announced a body it does not send: do not hold the connection for it.
      exchange = null;
      closeNow();
    }
  }

  /** The exchange broke off mid-response: drop the connection once what was written is flushed. */
  @Override
  public void closeAfterFlush() {
    if (state == State.CLOSING) {
      return;
    }
    state = State.CLOSING;
    pipelined.releaseAll();
    ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
  }

  private void closeNow() {
    state = State.CLOSING;
    pipelined.releaseAll();
    ctx.close();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt == DrainEvent.INSTANCE) {
      if (state == State.CLOSING) {
        return;
      }
      if (exchange == null) {
        closeNow();
      } else if (exchange.isDiscarding()) {
        // Its answer is written; the rest of its body is not worth waiting for while draining.
        exchange = null;
        closeAfterFlush();
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    state = State.CLOSING;
    stopTimers();
    ProxyExchange current = exchange;
    exchange = null;
    if (current != null) {
      current.onClientClosed();
    }
    pipelined.releaseAll();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Resets and broken pipes are a client's right; log at debug so a flood of them cannot flood the log.
    log.debug("client connection {} failed", ctx.channel(), cause);
    closeNow();
  }

  /** The client kept the connection waiting for longer than the client timeout. */
  @Override
  void onClientTimeout() {
    if (exchange == null || exchange.isDiscarding()) {
      exchange = null;
      closeNow();
    } else {
      exchange.onClientTimeout();
    }
  }
}
