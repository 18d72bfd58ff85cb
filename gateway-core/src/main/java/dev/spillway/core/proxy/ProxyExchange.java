package dev.spillway.core.proxy;

import dev.spillway.core.attempt.AttemptOutcome;
import dev.spillway.core.config.StreamConfig;
import dev.spillway.core.http.ErrorResponses;
import dev.spillway.core.http.GatewayError;
import dev.spillway.core.http.PeerAddresses;
import dev.spillway.core.http.ProxyHeaders;
import dev.spillway.core.http.RequestFraming;
import dev.spillway.core.http.RequestIds;
import dev.spillway.core.observe.Outcome;
import dev.spillway.core.routing.RequestTarget;
import dev.spillway.core.routing.Route;
import dev.spillway.core.upstream.Backend;
import dev.spillway.core.upstream.Endpoint;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * One request and its response, streamed between a client and a backend connection on the same event loop.
 *
 * <p>Flow: head arrives → checks (framing, host, route, size) → borrow a backend connection → stream the
 * request body up (reading from the client only while the backend connection is writable) → stream the
 * response down (reading from the backend only while the client is writable; flushing at the end of every
 * backend read, so each SSE event leaves as soon as it arrived) → return the connection to the pool if both
 * messages ended cleanly.
 *
 * <p>Failure: before the response head is written, the client gets a JSON error (502 for connect failures
 * and resets, 504 for timeouts); after, the client connection is closed, an event stream first getting one
 * final error event, so no truncated response ever looks complete. Either way the backend connection is
 * closed, never pooled. Every body buffer is forwarded or released exactly once; {@link #done} guards
 * against acting twice.
 */
final class ProxyExchange {
  private final ExchangeClient client;
  private final ChannelHandlerContext ctx;
  private final ProxyContext shared;
  private final HttpRequest request;
  private final HttpVersion version;
  private final HttpMethod method;
  private final boolean clientKeepAlive;
  private final String requestId;

  private RequestUpload upload;
  private Backend backend;
  private RequestTarget target;
  /** Admission control for this request, or {@code null} on a route and backend without limits. */
  private AdmissionGate gate;
  /** Holding the body prefix until admission has seen enough of it to estimate tokens. */
  private boolean holding;
  /** The request head went to a backend. */
  private boolean sentToBackend;
  private ExchangeTimers timers;
  /** The backend side: attempts, retries, failover. */
  private Forwarder forwarder;
  /** The whole request went to the backend (its response timeout runs). */
  private boolean requestSent;
  private final ResponseRelay relay;
  private final ExchangeRecorder recorder;
  private boolean done;
  /** Answered early, the rest of a small body is read and dropped so the connection can be kept. */
  private boolean discarding;
  /**
   * The whole body is held (it is small and declared) before the first attempt, so a failed attempt can be
   * replayed, or a provider's path can name the request's model.
   */
  private boolean replayable;
  /** Admitted, but a replayable body is still arriving; the first attempt starts when it is complete. */
  private boolean awaitingBody;
  /** The route's stream settings: timeouts and heartbeats once the response is an event stream. */
  private StreamConfig streamConfig;
  /** Whether the client waits for {@code 100 Continue} before sending its body. */
  private enum ContinueState { NOT_EXPECTED, OWED, SENT }
  private ContinueState continueState;

  ProxyExchange(ExchangeClient client, ProxyContext shared, HttpRequest request) {
    this.client = client;
    this.ctx = client.context();
    this.shared = shared;
    this.request = request;
    this.version = request.protocolVersion();
    this.method = request.method();
    this.clientKeepAlive = HttpUtil.isKeepAlive(request);
    this.continueState = HttpUtil.is100ContinueExpected(request) ? ContinueState.OWED : ContinueState.NOT_EXPECTED;
    this.requestId = RequestIds.keepOrGenerate(request.headers().get(ProxyHeaders.X_REQUEST_ID));
    this.relay = new ResponseRelay(ctx, shared.server().exposeBackendHeader());
    this.recorder = new ExchangeRecorder(ctx.executor().ticker().nanoTime());
  }

  void start() {
    shared.exchangeStarted();
    RequestChecks.Result checked = RequestChecks.check(request, shared.router(), shared.server().maxBodySize());
    upload = new RequestUpload(checked.bodyLength(), shared.server().maxBodySize());
    if (!checked.ok()) {
      fail(checked.error(), checked.mustClose());
      return;
    }
    if (checked.answerOptions()) {
      // Max-Forwards: 0 makes the gateway the final recipient (RFC 9110 §7.6.2).
      boolean close = mustCloseAfterEarlyAnswer();
      recorder.status = 200;
      answerEarly(ErrorResponses.options(version, requestId, close), close, Outcome.GATEWAY_ERROR, null);
      return;
    }
    Route route = checked.route();
    RequestTarget target = checked.target();
    backend = route.backend();
    streamConfig = route.config().stream();
    forwarder = new Forwarder(this, ctx, shared, route, upload.bodyLength(),
        upload.bodyLength() == RequestFraming.CHUNKED);
    replayable = forwarder.holdsWholeBody();
    recorder.route = route.name();
    recorder.backend = backend.name();
    this.target = target;
    timers = new ExchangeTimers(ctx.executor(), backend.config(), this::onTimeout, this::waitingOnBackend);
    if (route.admission() == null && route.tiers().stream().allMatch(t -> t.backend().admission() == null)
        && !shared.overrides().atTheDoor()) {
      onAdmitted();
      return;
    }
    // Admission may hold or queue the request before any backend deadline runs: bound that by the total.
    timers.startTotal();
    gate = new AdmissionGate(this, route.admission(), route.tiers(), ctx.executor(), request,
        shared.defaultRejections());
    if (!gate.begin(PeerAddresses.address(ctx.channel()), upload.bodyLength() != RequestFraming.NO_BODY)) {
      onRejected(gate.unknownKeyResponse());
      return;
    }
    if (gate.needsPrefix()) {
      holding = true;
      sendContinueIfExpected(); // admission has to see the body to decide
      return;
    }
    gate.decide(upload.bodyLength());
  }

  /** Admission let the request through: forward it, once a replayable body is complete. */
  void onAdmitted() {
    if (done) {
      return;
    }
    sendContinueIfExpected();
    if (replayable && !upload.isComplete()) {
      awaitingBody = true;
      // Reads may have stopped while the request waited for admission: ask for the rest of the body.
      client.maybeRead();
      return;
    }
    beginForwarding();
  }

  private void beginForwarding() {
    if (gate != null && gate.wantsUsageInjection()) {
      gate.usageInjected(upload.injectIncludeUsage(ctx.alloc(), request.headers()));
    }
    forwarder.begin(RequestRewriter.toUpstream(request, target.pathAndQuery(), upload.bodyLength(),
        backend.endpoints().get(0).authority(), shared.forwarding(), PeerAddresses.address(ctx.channel()),
        PeerAddresses.ip(ctx.channel()), target.authority(), requestId));
  }

  // ---- what the forwarder reports ----

  /** An attempt begins on the endpoint the planner picked. */
  void onAttemptStarting(AttemptPlanner.Pick pick, int attempts) {
    recorder.attempt(pick.lease().endpoint().toString(), attempts, pick.tierIndex(), pick.tier().backend().name());
    timers.newAttempt();
  }

  /** Whether the next attempt may go to tier {@code tierIndex}: under its own permit, if it has a limit. */
  boolean enterTier(int tierIndex, Route.Tier tier) {
    return gate == null || gate.enterTier(tierIndex, tier);
  }

  /** An attempt ended with {@code outcome}; another may follow. */
  void onAttemptEnded(AttemptOutcome outcome) {
    if (gate != null) {
      gate.attemptEnded(outcome);
    }
  }

  /** Every tier with an endpoint for the request is at its concurrency limit: the at-capacity answer. */
  void onEveryTierFull() {
    onRejected(gate.everyTierFull(sentToBackend));
  }

  /** No endpoint of any tier is left to try. */
  void onNoAttemptPossible(GatewayError error) {
    fail(error, false);
  }

  /** The backend failed and no retry follows. */
  void onBackendFailed(GatewayError error) {
    failOrAbort(error, false);
  }

  /** Admission turned the request away; {@code response} is the complete answer. */
  void onRejected(FullHttpResponse response) {
    if (done) {
      response.release();
      return;
    }
    recorder.status = response.status().code();
    recorder.shedReason = gate != null ? gate.shedReason() : null;
    answerEarly(response,
        response.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true),
        recorder.error == null ? Outcome.SHED : Outcome.GATEWAY_ERROR, null);
  }

  /**
   * Writes the answer to a request that never got a response (an error or a rejection) and ends it.
   *
   * @param cause the error that ended the exchange, or {@code null} for a rejection
   */
  private void answerEarly(FullHttpResponse response, boolean close, Outcome outcome, GatewayError cause) {
    done = true;
    cleanUp(cause);
    discarding = !close && upload.bodyPending();
    ctx.writeAndFlush(response);
    end(outcome);
    client.exchangeFinished(this, !close);
  }

  /**
   * Tells a client waiting with {@code Expect: 100-continue} to send its body, once the gateway wants it:
   * only after admission, so a body is never uploaded just to be discarded by a rejection.
   */
  private void sendContinueIfExpected() {
    if (continueState == ContinueState.OWED) {
      continueState = ContinueState.SENT;
      ctx.writeAndFlush(new DefaultFullHttpResponse(version, HttpResponseStatus.CONTINUE));
    }
  }

  /**
   * Whether an answer given now, before the response, must close the connection. A client still waiting for
   * {@code 100 Continue} may or may not send its body after a final answer (RFC 9110 §10.1.1), so the
   * connection cannot tell its next request from that body: it closes.
   */
  boolean mustCloseAfterEarlyAnswer() {
    return (upload.bodyPending() && (!upload.canDiscardRest() || continueState == ContinueState.OWED))
        || !clientKeepAlive || !shared.keepAliveAllowed();
  }

  /** Whether this finished exchange still eats the rest of its request body. */
  boolean isDiscarding() {
    return discarding;
  }

  // ---- backend connection ----

  /** The top-level {@code model} of the body held so far, or {@code null} (for a provider's path template). */
  String requestModel() {
    return upload.heldModel();
  }

  /** An attempt has its connection: send the head and whatever body is held, then stream the rest. */
  void sendRequest(Channel up, HttpRequest head, String model, boolean replay) {
    sentToBackend = true;
    if (gate != null) {
      gate.requestSent(nowNanos());
    }
    if (replay) {
      upload.writeWithCopies(up, head, model, ctx.alloc());
    } else {
      up.write(head);
      upload.writeHeld(up);
    }
    up.flush();
    if (upload.isComplete()) {
      requestSent = true;
      timers.startResponse();
    }
    timers.startIdle();
    up.read();
    client.maybeRead();
  }

  // ---- request body, client → backend ----

  void onRequestContent(HttpContent content) {
    if (done) {
      boolean last = content instanceof LastHttpContent;
      content.release();
      if (discarding && last) {
        discarding = false;
        upload.markDrained();
        client.exchangeFinished(this, true);
      }
      return;
    }
    RequestUpload.Accepted accepted = upload.accept(content, upstream());
    if (accepted == RequestUpload.Accepted.MALFORMED || accepted == RequestUpload.Accepted.TOO_LARGE) {
      content.release();
      failOrAbort(accepted == RequestUpload.Accepted.MALFORMED ? GatewayError.BAD_REQUEST
          : GatewayError.PAYLOAD_TOO_LARGE, true);
      return;
    }
    if (accepted == RequestUpload.Accepted.WRITTEN) {
      timers.progress();
      if (upload.isComplete()) {
        requestSent = true;
        timers.startResponse();
      }
    } else if (awaitingBody) {
      if (upload.isComplete()) {
        awaitingBody = false;
        beginForwarding();
      }
    } else if (holding) {
      gate.feed(content);
      if (gate.prefixSatisfied(upload.isComplete())) {
        holding = false;
        gate.decide(upload.bodyLength());
      }
    }
  }

  void onClientReadComplete() {
    upload.flush(upstream());
  }

  /** The current attempt's connection, or {@code null}. */
  private Channel upstream() {
    return forwarder == null ? null : forwarder.channel();
  }

  boolean requestComplete() {
    return upload != null && upload.isComplete();
  }

  /**
   * Whether the client connection should be read now: for more body while the backend keeps up, and after
   * the body so that a client hanging up is noticed (bytes of a pipelined next request are parked).
   */
  boolean wantsClientData() {
    if (done) {
      return discarding;
    }
    if (upload.isComplete() || holding || awaitingBody) {
      return true;
    }
    Channel up = upstream();
    return up != null && up.isWritable();
  }

  /** Whether a silent client is what this exchange is waiting for (the client timeout applies). */
  boolean isWaitingOnClient() {
    if (done) {
      return discarding;
    }
    Channel up = upstream();
    return !upload.isComplete() && (holding || awaitingBody || (up != null && up.isWritable()));
  }

  private boolean waitingOnBackend() {
    Channel up = upstream();
    if (done || up == null) {
      return false;
    }
    if (!upload.isComplete()) {
      return !up.isWritable();
    }
    // Before the response head, the response timeout is the one that applies.
    return relay.started() && ctx.channel().isWritable();
  }

  void onBackendWritable() {
    if (!upload.isComplete() && !done) {
      timers.progress();
      client.resumeReading();
    }
  }

  // ---- response, backend → client ----

  void onBackendResponseHead(HttpResponse response, String backendName, Endpoint endpoint) {
    if (done) {
      return;
    }
    if (response.decoderResult().isFailure()) {
      failOrAbort(GatewayError.UPSTREAM_PROTOCOL_ERROR, false);
      return;
    }
    timers.responseHeadReceived();
    boolean keepAlive = clientKeepAlive && upload.isComplete() && shared.keepAliveAllowed();
    relay.head(response, method, version, requestId, keepAlive, gate, backendName, endpoint);
    recorder.responseHead(relay.status(), relay.eventStream(), nowNanos());
    if (relay.eventStream()) {
      timers.useStreamLimits(streamConfig.idleTimeout().toNanos(), streamConfig.totalTimeout().toNanos());
      if (streamConfig.heartbeats()) {
        relay.startHeartbeats(streamConfig.heartbeatInterval().toNanos());
      }
    }
  }

  void onBackendResponseContent(HttpContent content) {
    if (done || !relay.started()) {
      content.release();
      return;
    }
    if (content.decoderResult().isFailure()) {
      content.release();
      failOrAbort(GatewayError.UPSTREAM_PROTOCOL_ERROR, false);
      return;
    }
    timers.progress();
    recorder.responseBytes += content.content().readableBytes();
    if (relay.content(content, gate)) {
      finishResponse();
    }
  }

  void onBackendReadComplete(Channel up) {
    if (!done) {
      relay.readComplete(up);
    }
  }

  void onClientWritabilityChanged(boolean writable) {
    Channel up = upstream();
    if (writable && !done && up != null) {
      timers.progress();
      relay.clientWritable(up);
    }
  }

  private void finishResponse() {
    done = true;
    timers.cancelAll();
    relay.stopHeartbeats();
    if (gate != null) {
      gate.complete(relay.status(), ctx.executor().ticker().nanoTime());
    }
    forwarder.complete(relay.status(), relay.upstreamKeepAlive() && requestSent);
    upload.releaseHeld(); // the originals of a replayable body, kept for retries
    ctx.flush();
    end(Outcome.PROXIED);
    client.exchangeFinished(this, relay.clientKeepAlive());
  }

  // ---- endings ----

  private void onTimeout(GatewayError error) {
    if (!done) {
      failOrAbort(error, false);
    }
  }

  /** The client stopped sending its body for longer than the client timeout. */
  void onClientTimeout() {
    if (!done) {
      failOrAbort(GatewayError.REQUEST_TIMEOUT, true);
    }
  }

  /** The client connection closed: cancel the backend request (its connection cannot be reused). */
  void onClientClosed() {
    if (done) {
      return;
    }
    done = true;
    if (gate != null) {
      gate.abandon(sentToBackend, AttemptOutcome.CANCELLED);
    }
    cleanUp(null);
    end(Outcome.CLIENT_CLOSED);
  }

  private void failOrAbort(GatewayError error, boolean clientFault) {
    if (relay.started()) {
      abort(error);
    } else {
      fail(error, clientFault);
    }
  }

  /**
   * Answers with a JSON error; nothing of a response has been written yet.
   *
   * @param mustClose close the connection afterwards regardless (malformed or half-read requests)
   */
  private void fail(GatewayError error, boolean mustClose) {
    boolean close = mustClose || mustCloseAfterEarlyAnswer();
    recorder.error = error;
    recorder.status = error.status().code();
    FullHttpResponse response = ErrorResponses.json(error, version, requestId, close);
    if (gate != null) {
      gate.abandon(sentToBackend, endingOutcome(error));
      gate.decorate(response.headers());
    }
    answerEarly(response, close, Outcome.GATEWAY_ERROR, error);
  }

  /** The response already started: end it visibly broken. */
  private void abort(GatewayError error) {
    done = true;
    if (gate != null) {
      gate.abandon(sentToBackend, endingOutcome(error));
    }
    cleanUp(error);
    recorder.error = error;
    relay.endBroken(error);
    end(Outcome.ABORTED);
    client.closeAfterFlush();
  }

  private AttemptOutcome endingOutcome(GatewayError error) {
    return forwarder == null ? AttemptOutcome.CANCELLED : forwarder.outcomeOf(error);
  }

  /** Releases everything the exchange holds; {@code cause} is the error that ended it, if one did. */
  private void cleanUp(GatewayError cause) {
    relay.stopHeartbeats();
    if (timers != null) {
      timers.cancelAll();
    }
    if (forwarder != null) {
      forwarder.abandon(cause);
    }
    if (upload != null) {
      upload.releaseHeld();
    }
  }

  private void end(Outcome outcome) {
    shared.exchangeEnded();
    recorder.emit(shared.observer(), outcome, requestId, gate, upload == null ? 0 : upload.bodyBytes(),
        ctx.executor().ticker().nanoTime());
  }

  boolean isDone() {
    return done;
  }

  boolean responseStarted() {
    return relay.started();
  }

  long nowNanos() {
    return ctx.executor().ticker().nanoTime();
  }

  /** The operator's incident controls (for the admission gate). */
  dev.spillway.core.incident.IncidentOverrides overrides() {
    return shared.overrides();
  }

  /** The route the request matched (set once it is routed). */
  String routeName() {
    return recorder.route;
  }

  String requestId() {
    return requestId;
  }
}
