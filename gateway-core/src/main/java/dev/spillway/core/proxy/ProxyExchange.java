package dev.spillway.core.proxy;

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
import dev.spillway.core.upstream.resilience.EndpointAttempt;
import dev.spillway.core.upstream.resilience.FailureKind;
import dev.spillway.core.upstream.resilience.UpstreamPause;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
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
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

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
  private final ClientConnectionHandler client;
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
  private HttpRequest upstreamRequest;
  /** The current try against a backend endpoint, or {@code null} before the first and after the end. */
  private UpstreamAttempt attempt;
  /** The whole request went to the backend (its response timeout runs). */
  private boolean requestSent;
  private final ResponseRelay relay;
  private final ExchangeRecorder recorder;
  private boolean done;
  /** Answered early, the rest of a small body is read and dropped so the connection can be kept. */
  private boolean discarding;
  /** Picks each attempt's tier and endpoint and decides retries. */
  private AttemptPlanner planner;
  /** The whole body is held (it is small and declared), so a failed attempt can be replayed. */
  private boolean replayable;
  /** Admitted, but a replayable body is still arriving; the first attempt starts when it is complete. */
  private boolean awaitingBody;
  private Route.Tier tier;
  private ScheduledFuture<?> retryTask;
  /** What the last failed attempt would have answered, should no further attempt be possible. */
  private GatewayError lastError;

  ProxyExchange(ClientConnectionHandler client, ProxyContext shared, HttpRequest request) {
    this.client = client;
    this.ctx = client.context();
    this.shared = shared;
    this.request = request;
    this.version = request.protocolVersion();
    this.method = request.method();
    this.clientKeepAlive = HttpUtil.isKeepAlive(request);
    this.requestId = RequestIds.keepOrGenerate(request.headers().get(ProxyHeaders.X_REQUEST_ID));
    this.relay = new ResponseRelay(ctx);
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
    Route route = checked.route();
    RequestTarget target = checked.target();
    backend = route.backend();
    planner = new AttemptPlanner(route);
    long declared = Math.max(0, upload.bodyLength());
    replayable = planner.mayRetry() && upload.bodyLength() != RequestFraming.CHUNKED && planner.canReplay(declared);
    recorder.route = route.name();
    recorder.backend = backend.name();
    this.target = target;
    if (HttpUtil.is100ContinueExpected(request)) {
      ctx.writeAndFlush(new DefaultFullHttpResponse(version, HttpResponseStatus.CONTINUE));
    }
    timers = new ExchangeTimers(ctx.executor(), backend.config(), this::onTimeout, this::waitingOnBackend);
    if (route.admission() == null && backend.admission() == null) {
      onAdmitted();
      return;
    }
    // Admission may hold or queue the request before any backend deadline runs: bound that by the total.
    timers.startTotal();
    gate = new AdmissionGate(this, route.admission(), backend.admission(), ctx.executor(), request,
        backend.config().waitingRoom().maxWait().toNanos(), shared.defaultRejections());
    if (!gate.begin(PeerAddresses.address(ctx.channel()), upload.bodyLength() != RequestFraming.NO_BODY)) {
      onRejected(gate.unknownKeyResponse());
      return;
    }
    if (gate.needsPrefix()) {
      holding = true;
      return;
    }
    gate.decide(upload.bodyLength());
  }

  /** Admission let the request through: forward it, once a replayable body is complete. */
  void onAdmitted() {
    if (done) {
      return;
    }
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
    upstreamRequest = RequestRewriter.toUpstream(request, target.pathAndQuery(), upload.bodyLength(),
        backend.endpoints().get(0).authority(), PeerAddresses.ip(ctx.channel()), requestId);
    startAttempt();
  }

  /** Starts the next attempt on the tier and endpoint the planner picks, or fails when there is none. */
  private void startAttempt() {
    retryTask = null;
    if (done) {
      return;
    }
    AttemptPlanner.Pick pick = planner.next();
    if (pick == null) {
      fail(lastError != null ? lastError : GatewayError.NO_AVAILABLE_ENDPOINT, false);
      return;
    }
    tier = pick.tier();
    recorder.endpoint = pick.lease().endpoint().toString();
    timers.newAttempt();
    attempt = new UpstreamAttempt(this, pick.lease(), nowNanos());
    attempt.start(shared.pools(), ctx.channel().eventLoop(), tier.backend());
  }

  /**
   * Tries again after a failure before any response reached the client, if the route's policy and budget
   * allow; returns whether a retry was scheduled.
   */
  private boolean retryAfter(dev.spillway.core.retry.FailureKind kind, GatewayError error, long retryAfterNanos) {
    if (!replayable || kind == null || relay.started() || done || !planner.hasUntried()) {
      return false;
    }
    dev.spillway.core.retry.RetryDecision decision = planner.decide(kind, true, retryAfterNanos);
    if (!decision.shouldRetry()) {
      return false;
    }
    lastError = error;
    retryTask = ctx.executor().schedule(this::startAttempt, decision.delayNanos(), TimeUnit.NANOSECONDS);
    return true;
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
        recorder.error == null ? Outcome.SHED : Outcome.GATEWAY_ERROR);
  }

  /** Writes the answer to a request that never got a response (an error or a rejection) and ends it. */
  private void answerEarly(FullHttpResponse response, boolean close, Outcome outcome) {
    done = true;
    cleanUp();
    discarding = !close && upload.bodyPending();
    ctx.writeAndFlush(response);
    end(outcome);
    client.exchangeFinished(this, !close);
  }

  /** Whether an answer given now, before the response, must close the connection. */
  boolean mustCloseAfterEarlyAnswer() {
    return (upload.bodyPending() && !upload.canDiscardRest()) || !clientKeepAlive || shared.isDraining();
  }

  /** Whether this finished exchange still eats the rest of its request body. */
  boolean isDiscarding() {
    return discarding;
  }

  // ---- backend connection ----

  /** The attempt has its connection: send the head and whatever body is held, then stream the rest. */
  void onAttemptConnected(UpstreamAttempt from, Channel up) {
    if (from != attempt || done) {
      from.abandon(null);
      return;
    }
    sentToBackend = true;
    if (gate != null) {
      gate.requestSent(ctx.executor().ticker().nanoTime());
    }
    HttpRequest head = headFor(from);
    if (replayable) {
      upload.writeWithCopies(up, head, tier.model(), ctx.alloc());
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

  /** The request head for an attempt: the first uses the rewritten head, later ones a copy with their Host. */
  private HttpRequest headFor(UpstreamAttempt from) {
    if (planner.attempts() == 1 && tier.model() == null) {
      upstreamRequest.headers().set(HttpHeaderNames.HOST, from.endpoint().authority());
      return upstreamRequest;
    }
    HttpRequest copy = new DefaultHttpRequest(HttpVersion.HTTP_1_1, upstreamRequest.method(),
        upstreamRequest.uri(), upstreamRequest.headers().copy());
    copy.headers().set(HttpHeaderNames.HOST, from.endpoint().authority());
    return copy;
  }

  /** The attempt failed: to connect, or before or during the response. */
  void onAttemptFailed(UpstreamAttempt from, GatewayError error) {
    if (from != attempt || done) {
      return;
    }
    attempt = null;
    if (retryAfter(AttemptPlanner.kindOf(error), error, -1)) {
      return;
    }
    failOrAbort(error, false);
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
    return attempt == null ? null : attempt.channel();
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

  void onAttemptWritabilityChanged(UpstreamAttempt from, boolean writable) {
    if (from == attempt && writable && !upload.isComplete() && !done) {
      timers.progress();
      client.resumeReading();
    }
  }

  // ---- response, backend → client ----

  void onAttemptResponseHead(UpstreamAttempt from, HttpResponse response) {
    if (from != attempt || done) {
      return;
    }
    if (response.decoderResult().isFailure()) {
      failOrAbort(GatewayError.UPSTREAM_PROTOCOL_ERROR, false);
      return;
    }
    int status = response.status().code();
    if ((status == 429 || status == 502 || status == 503) && replayable) {
      long pause = UpstreamPause.pauseNanos(status, response.headers(), java.time.Clock.systemUTC());
      if (retryAfter(dev.spillway.core.retry.FailureKind.ofStatus(status), GatewayError.UPSTREAM_UNAVAILABLE,
          pause)) {
        // Not relayed: the next attempt answers. The rest of this response is dropped with its connection.
        attempt = null;
        from.abandon(status >= 500 ? dev.spillway.core.upstream.resilience.FailureKind.SERVER_ERROR : null);
        return;
      }
    }
    timers.responseHeadReceived();
    boolean keepAlive = clientKeepAlive && upload.isComplete() && !shared.isDraining();
    relay.head(response, method, version, requestId, keepAlive, gate, tier.backend().name(), from.endpoint());
    recorder.responseHead(relay.status(), relay.eventStream(), ctx.executor().ticker().nanoTime());
  }

  void onAttemptResponseContent(UpstreamAttempt from, HttpContent content) {
    if (from != attempt || done || !relay.started()) {
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

  void onAttemptReadComplete(UpstreamAttempt from, Channel up) {
    if (from == attempt && !done) {
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
    if (gate != null) {
      gate.complete(relay.status(), ctx.executor().ticker().nanoTime());
    }
    attempt.complete(relay.status(), relay.upstreamKeepAlive() && requestSent);
    attempt = null;
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
      gate.abandon(sentToBackend, false);
    }
    cleanUp();
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
    if (attempt != null) {
      attempt.abandon(endpointFault(error));
      attempt = null;
    }
    boolean close = mustClose || mustCloseAfterEarlyAnswer();
    recorder.error = error;
    recorder.status = error.status().code();
    FullHttpResponse response = ErrorResponses.json(error, version, requestId, close);
    if (gate != null) {
      gate.abandon(sentToBackend, error.isUpstream());
      gate.decorate(response.headers());
    }
    answerEarly(response, close, Outcome.GATEWAY_ERROR);
  }

  /** The response already started: end it visibly broken. */
  private void abort(GatewayError error) {
    done = true;
    if (attempt != null) {
      attempt.abandon(endpointFault(error));
      attempt = null;
    }
    if (gate != null) {
      gate.abandon(sentToBackend, error.isUpstream());
    }
    cleanUp();
    recorder.error = error;
    relay.endBroken(error);
    end(Outcome.ABORTED);
    client.closeAfterFlush();
  }

  private void cleanUp() {
    cleanUp(null);
  }

  /** Releases everything the exchange holds; {@code endpointFault} is the endpoint's failure, if it was one. */
  private void cleanUp(FailureKind endpointFault) {
    if (retryTask != null) {
      retryTask.cancel(false);
      retryTask = null;
    }
    if (timers != null) {
      timers.cancelAll();
    }
    if (attempt != null) {
      attempt.abandon(endpointFault);
      attempt = null;
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

  /** Backend timeouts count against the endpoint; everything else that ends an attempt early does not. */
  private static FailureKind endpointFault(GatewayError error) {
    switch (error) {
      case UPSTREAM_RESPONSE_TIMEOUT:
      case UPSTREAM_IDLE_TIMEOUT:
      case REQUEST_DEADLINE_EXCEEDED:
        return FailureKind.TIMEOUT;
      default:
        return null;
    }
  }

  long nowNanos() {
    return ctx.executor().ticker().nanoTime();
  }

  String requestId() {
    return requestId;
  }
}
