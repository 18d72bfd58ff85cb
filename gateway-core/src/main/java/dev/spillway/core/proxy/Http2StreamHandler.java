package dev.spillway.core.proxy;

import dev.spillway.core.http.ErrorResponses;
import dev.spillway.core.http.GatewayError;
import dev.spillway.core.overload.OverloadResponses;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP/2 stream: its request runs as a {@link ProxyExchange}, exactly as on an HTTP/1.1 connection.
 *
 * <p>Pipeline of the stream's child channel: {@code Http2StreamFrameToHttpObjectCodec → Http2StreamHandler}, so
 * the exchange sees the same request head, body pieces and trailers an HTTP/1.1 connection hands it, and writes
 * the same response objects. The child channel runs with {@code AUTO_READ} off and this handler reads one frame
 * at a time, only while the exchange wants more of the body: an unread frame is not acknowledged to the client
 * ({@code WINDOW_UPDATE}), so a slow backend throttles the upload through the stream's flow-control window. The
 * child channel is writable only while the stream's window and the connection take more, which is what paces
 * the response.
 *
 * <p>Endings: a response ends the stream with {@code END_STREAM}. An answer given before the client finished
 * sending its body resets the stream with {@code NO_ERROR} once written (RFC 9113 §8.1), so the client stops
 * sending; a response that breaks off after it started resets the stream ({@code INTERNAL_ERROR}), so it never
 * looks complete. A client that
 * resets the stream, or a connection that goes away, cancels the exchange.
 */
public final class Http2StreamHandler extends ExchangeClientHandler {
  private static final Logger log = LoggerFactory.getLogger(Http2StreamHandler.class);

  /** Where the stream stands. */
  private enum State {
    /** No request head yet. */
    AWAITING_HEAD,
    /** An exchange runs the request. */
    EXCHANGING,
    /** Answered, reset or gone: everything inbound is dropped. */
    FINISHED
  }

  private ProxyExchange exchange;
  private State state = State.AWAITING_HEAD;
  /** The client ended its side of the stream ({@code END_STREAM} read). */
  private boolean requestEnded;

  public Http2StreamHandler(ProxyContext shared) {
    super(shared);
  }

  @Override
  boolean waitingOnClient() {
    return state != State.FINISHED && (exchange == null || exchange.isWaitingOnClient());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    clientTimeout.progress();
    if (msg instanceof LastHttpContent) {
      requestEnded = true;
    }
    if (state == State.AWAITING_HEAD && msg instanceof HttpRequest request) {
      onHead(request);
    } else if (state == State.EXCHANGING && msg instanceof HttpContent content) {
      exchange.onRequestContent(content);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onHead(HttpRequest request) {
    HttpRequest head = request;
    LastHttpContent body = null;
    if (request instanceof FullHttpRequest full) {
      // HEADERS with END_STREAM: split into head and end, the shape an HTTP/1.1 decoder produces.
      head = new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), full.headers());
      body = new DefaultLastHttpContent(full.content(), full.trailingHeaders());
    }
    // The codec's bookkeeping headers (x-http2-stream-id, x-http2-scheme) must not reach a backend.
    for (HttpConversionUtil.ExtensionHeaderNames name : HttpConversionUtil.ExtensionHeaderNames.values()) {
      head.headers().remove(name.text());
    }
    if (head.headers().size() > shared.server().maxHeaderCount()) {
      ReferenceCountUtil.release(body);
      answerAndEnd(ErrorResponses.json(GatewayError.TOO_MANY_HEADERS, HttpVersion.HTTP_1_1, null, false));
      return;
    }
    switch (RequestIntake.verdict(shared)) {
      case DRAINING -> {
        ReferenceCountUtil.release(body);
        answerAndEnd(ErrorResponses.json(GatewayError.SHUTTING_DOWN, HttpVersion.HTTP_1_1, null, false));
        return;
      }
      case STOP_ACCEPTING -> {
        ReferenceCountUtil.release(body);
        answerAndEnd(OverloadResponses.stopAccepting(HttpVersion.HTTP_1_1));
        // No further streams on this connection: GOAWAY, closing once the streams in flight are answered.
        ctx.channel().parent().close();
        return;
      }
      case ACCEPT -> { }
    }
    state = State.EXCHANGING;
    exchange = new ProxyExchange(this, shared, head);
    exchange.start();
    if (body != null) {
      if (state == State.EXCHANGING) {
        exchange.onRequestContent(body);
      } else {
        body.release();
      }
    }
  }

  /** Answers a request no exchange runs, and ends the stream. */
  private void answerAndEnd(FullHttpResponse response) {
    state = State.FINISHED;
    clientTimeout.cancel();
    ctx.writeAndFlush(response);
    resetUnlessEnded();
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (state == State.EXCHANGING) {
      exchange.onClientReadComplete();
    }
    maybeRead();
    ctx.fireChannelReadComplete();
  }

  /** Reads the next frame while a head is awaited, or while the exchange wants more of the body. */
  @Override
  public void maybeRead() {
    if (requestEnded) {
      return;
    }
    if (state == State.AWAITING_HEAD || (state == State.EXCHANGING && exchange.wantsClientData())) {
      ctx.read();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (state == State.EXCHANGING) {
      exchange.onClientWritabilityChanged(ctx.channel().isWritable());
    }
    ctx.fireChannelWritabilityChanged();
  }

  /**
   * The stream carries exactly one exchange: once it answered, the stream is over whatever keep-alive says,
   * except that the rest of a small body the answer came before is read and dropped first, as on HTTP/1.1
   * (curl, among others, takes a reset after a complete answer for a failure).
   */
  @Override
  public void exchangeFinished(ProxyExchange finished, boolean keepAlive) {
    if (finished != exchange || state != State.EXCHANGING) {
      return;
    }
    if (finished.isDiscarding() && !requestEnded && clientStillSending()) {
      maybeRead(); // the exchange reports again once the body has ended; the client timeout bounds the wait
      return;
    }
    state = State.FINISHED;
    exchange = null;
    clientTimeout.cancel();
    resetUnlessEnded();
    if (!shared.keepAliveAllowed()) {
      // Where an HTTP/1.1 connection would close after its answer, this connection takes no more streams.
      ctx.channel().parent().close();
    }
  }

  /**
   * After an answer that ended the stream from the gateway's side: if the client is still sending its body,
   * reset the stream with {@code NO_ERROR}, which asks it to stop sending without failing the answer it got
   * (RFC 9113 §8.1); its unread frames are dropped.
   */
  private void resetUnlessEnded() {
    if (!requestEnded && clientStillSending()) {
      reset(Http2Error.NO_ERROR);
    }
  }

  /**
   * Whether the client has yet to end its side: its {@code END_STREAM} may have arrived without being read
   * (frames wait in the stream channel until read), and a reset then would break a stream it already finished.
   */
  private boolean clientStillSending() {
    return !(ctx.channel() instanceof Http2StreamChannel stream) || stream.stream().state().remoteSideOpen();
  }

  /**
   * Resets the stream ({@code INTERNAL_ERROR}) after what was written, so the broken response cannot look
   * complete.
   */
  @Override
  public void closeAfterFlush() {
    state = State.FINISHED;
    reset(Http2Error.INTERNAL_ERROR);
  }

  private void reset(Http2Error error) {
    ctx.write(new DefaultHttp2ResetFrame(error));
    ctx.flush();
    ctx.close();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof Http2ResetFrame reset) {
      // The client cancelled the stream; the stream closes right after, which ends the exchange.
      log.debug("stream {} reset by the client ({})", ctx.channel(), reset.errorCode());
      clientGone();
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    clientGone();
    ctx.fireChannelInactive();
  }

  /** The stream was reset or its connection closed: cancel the exchange, whatever it was doing. */
  private void clientGone() {
    state = State.FINISHED;
    if (clientTimeout != null) {
      clientTimeout.cancel();
    }
    ProxyExchange current = exchange;
    exchange = null;
    if (current != null) {
      current.onClientClosed();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("stream {} failed", ctx.channel(), cause);
    ctx.close();
  }

  /** The client kept the stream waiting (for its head or body) for longer than the client timeout. */
  @Override
  void onClientTimeout() {
    if (state == State.EXCHANGING && !exchange.isDone()) {
      exchange.onClientTimeout();
    } else {
      state = State.FINISHED;
      ctx.close();
    }
  }
}
