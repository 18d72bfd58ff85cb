package dev.spillway.core.proxy;

import dev.spillway.core.attempt.AttemptOutcome;
import dev.spillway.core.http.ErrorResponses;
import dev.spillway.core.http.GatewayError;
import dev.spillway.core.observe.GatewayObserver;
import dev.spillway.core.observe.Outcome;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.EventExecutor;

/**
 * Ends one exchange, once, in one of four ways: the response finished, an early answer (an error or a
 * rejection before any response), a response broken off after it started, or the client gone. Each way moves
 * the {@link ExchangeState} to done first, completes admission (permit and reservation) exactly once, stops
 * every timer, abandons or completes the attempt, releases the held body, and reports one record. Telling the
 * client side what became of its connection is left to {@link ProxyExchange}, which calls these.
 *
 * <p>The routed parts arrive with {@link #routed}; a request that fails its checks ends without them.
 */
final class ExchangeEnding {
  private final ExchangeState state;
  private final ChannelHandlerContext ctx;
  private final ProxyContext shared;
  private final ResponseRelay relay;
  private final ExchangeRecorder recorder;
  private final RequestUpload upload;
  private final String requestId;
  private final HttpVersion version;
  private ExchangeAdmission admission = ExchangeAdmission.NONE;
  private ExchangeTimers timers;
  private Forwarder forwarder;
  private ExchangeFlow flow;

  ExchangeEnding(ExchangeState state, ChannelHandlerContext ctx, ProxyContext shared, ResponseRelay relay,
      ExchangeRecorder recorder, RequestUpload upload, String requestId, HttpVersion version) {
    this.state = state;
    this.ctx = ctx;
    this.shared = shared;
    this.relay = relay;
    this.recorder = recorder;
    this.upload = upload;
    this.requestId = requestId;
    this.version = version;
  }

  /** The request is routed: these are what an ending completes and releases from now on. */
  void routed(ExchangeAdmission admission, ExchangeTimers timers, Forwarder forwarder, ExchangeFlow flow) {
    this.admission = admission;
    this.timers = timers;
    this.forwarder = forwarder;
    this.flow = flow;
  }

  /** The whole response went to the client; returns whether the client connection may be kept. */
  boolean finishResponse() {
    state.end();
    timers.cancelAll();
    admission.complete(relay.status(), ctx.executor().ticker().nanoTime());
    forwarder.complete(relay.status(), relay.upstreamKeepAlive() && flow.wholeRequestSentEver());
    upload.releaseHeld(); // the originals of a replayable body, kept for retries
    ctx.flush();
    report(Outcome.PROXIED);
    return relay.clientKeepAlive();
  }

  /** The client connection closed: cancel the backend request (its connection cannot be reused). */
  void clientClosed() {
    state.end();
    admission.abandon(reachedBackend(), AttemptOutcome.CANCELLED, null);
    release(null);
    report(Outcome.CLIENT_CLOSED);
  }

  /** Admission turned the request away with {@code response}; returns whether the connection closes. */
  boolean reject(FullHttpResponse response) {
    recorder.status = response.status().code();
    recorder.shedReason = admission.shedReason();
    boolean close = response.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true);
    answerEarly(response, close, recorder.error == null ? Outcome.SHED : Outcome.GATEWAY_ERROR, null);
    return close;
  }

  /** Answers {@code OPTIONS} for the gateway itself ({@code Max-Forwards: 0}). */
  void answerOptions(boolean close) {
    recorder.status = 200;
    answerEarly(ErrorResponses.options(version, requestId, close), close, Outcome.GATEWAY_ERROR, null);
  }

  /** Answers with a JSON error; nothing of a response has been written yet. */
  void fail(GatewayError error, boolean close) {
    recorder.error = error;
    recorder.status = error.status().code();
    FullHttpResponse response = ErrorResponses.json(error, version, requestId, close);
    admission.abandon(reachedBackend(), endingOutcome(error), response.headers());
    answerEarly(response, close, Outcome.GATEWAY_ERROR, error);
  }

  /**
   * Writes the answer to a request that never got a response (an error or a rejection); a small rest of the
   * body still to come is then read and dropped ({@link ExchangeState.Phase#DISCARDING}) to keep the connection.
   *
   * @param cause the error that ended the exchange, or {@code null} for a rejection
   */
  private void answerEarly(FullHttpResponse response, boolean close, Outcome outcome, GatewayError cause) {
    state.end();
    release(cause);
    if (!close && upload.bodyPending()) {
      state.discardRest();
    }
    ChannelFuture written = ctx.writeAndFlush(response);
    if (recorder.shedReason != null) {
      timeShed(written);
    }
    report(outcome);
  }

  /**
   * Tells the observer, once the shed answer is written and flushed, how long the gateway took to shed
   * ({@link GatewayObserver#onShedAnswered}). The listener is added before the record is reported, so a write
   * that completed at once is timed without the reporting.
   */
  private void timeShed(ChannelFuture written) {
    GatewayObserver observer = shared.observer();
    if (observer != GatewayObserver.NOOP) {
      written.addListener(new ShedWritten(recorder, observer, ctx.executor()));
    }
  }

  /**
   * Times one shed answer when its write completes. A class rather than a lambda: a lambda's first capture
   * links a call site at run time, which the very first shed answer would pay for (and be timed with).
   */
  private static final class ShedWritten implements ChannelFutureListener {
    private final ExchangeRecorder recorder;
    private final GatewayObserver observer;
    /** The exchange's executor, whose ticker timed the request head. */
    private final EventExecutor executor;

    ShedWritten(ExchangeRecorder recorder, GatewayObserver observer, EventExecutor executor) {
      this.recorder = recorder;
      this.observer = observer;
      this.executor = executor;
    }

    @Override
    public void operationComplete(ChannelFuture future) {
      if (future.isSuccess()) {
        recorder.shedAnswered(observer, executor.ticker().nanoTime());
      }
    }
  }

  /** The response already started: end it visibly broken (the client side then closes the connection). */
  void abort(GatewayError error) {
    state.end();
    admission.abandon(reachedBackend(), endingOutcome(error), null);
    release(error);
    recorder.error = error;
    relay.endBroken(error);
    report(Outcome.ABORTED);
  }

  private boolean reachedBackend() {
    return flow != null && flow.reachedBackend();
  }

  private AttemptOutcome endingOutcome(GatewayError error) {
    return forwarder == null ? AttemptOutcome.CANCELLED : forwarder.outcomeOf(error);
  }

  /** Releases everything the exchange holds; {@code cause} is the error that ended it, if one did. */
  private void release(GatewayError cause) {
    if (timers != null) {
      timers.cancelAll(); // heartbeats included
    }
    if (forwarder != null) {
      forwarder.abandon(cause);
    }
    upload.releaseHeld();
  }

  private void report(Outcome outcome) {
    shared.exchangeEnded();
    recorder.emit(shared.observer(), outcome, requestId, admission.gate(), upload.bodyBytes(),
        ctx.executor().ticker().nanoTime());
  }
}
