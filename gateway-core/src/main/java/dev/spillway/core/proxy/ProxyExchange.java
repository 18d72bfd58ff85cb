package dev.spillway.core.proxy;

import dev.spillway.core.attempt.AttemptOutcome;
import dev.spillway.core.http.GatewayError;
import dev.spillway.core.http.PeerAddresses;
import dev.spillway.core.http.ProxyHeaders;
import dev.spillway.core.http.RequestFraming;
import dev.spillway.core.http.RequestIds;
import dev.spillway.core.incident.IncidentOverrides;
import dev.spillway.core.routing.RequestTarget;
import dev.spillway.core.routing.Route;
import dev.spillway.core.upstream.Backend;
import dev.spillway.core.upstream.Endpoint;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * One request and its response, streamed between a client and a backend connection on the same event loop.
 *
 * <p>Flow: head arrives → checks (framing, host, route, size) → admission → borrow a backend connection →
 * stream the request body up and the response down, each side read only while the other keeps up (flushing
 * at the end of every backend read, so each SSE event leaves as soon as it arrived) → return the connection
 * to the pool if both messages ended cleanly.
 *
 * <p>Failure: before the response head is written, the client gets a JSON error (502 for connect failures
 * and resets, 504 for timeouts); after, the client connection is closed, an event stream first getting one
 * final error event, so no truncated response ever looks complete. Either way the backend connection is
 * closed, never pooled.
 *
 * <p>This class takes every event of the exchange, moves its {@link ExchangeState} and decides what comes
 * next; nothing acts on a done exchange, so every body buffer is forwarded or released exactly once. The work
 * has owners of its own: {@link ExchangeAdmission} (limits), {@link Forwarder} (attempts), {@link ExchangeFlow}
 * (bytes and reads), {@link ExchangeTimers} (deadlines, heartbeats), {@link ExchangeEnding} (the four endings).
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
  private final ExpectContinue expectContinue;
  private final ResponseRelay relay;
  private final ExchangeRecorder recorder;
  private final ExchangeState state = new ExchangeState();

  private RequestUpload upload;
  private ExchangeEnding ending;
  private ExchangeAdmission admission = ExchangeAdmission.NONE;
  private ExchangeTimers timers;
  /** The backend side: attempts, retries, failover. */
  private Forwarder forwarder;
  private ExchangeFlow flow;
  private Backend backend;
  private RequestTarget target;

  ProxyExchange(ExchangeClient client, ProxyContext shared, HttpRequest request) {
    this.client = client;
    this.ctx = client.context();
    this.shared = shared;
    this.request = request;
    this.version = request.protocolVersion();
    this.method = request.method();
    this.clientKeepAlive = HttpUtil.isKeepAlive(request);
    this.expectContinue = new ExpectContinue(request);
    this.requestId = RequestIds.keepOrGenerate(request.headers().get(ProxyHeaders.X_REQUEST_ID));
    this.relay = new ResponseRelay(ctx, shared.server().exposeBackendHeader());
    this.recorder = new ExchangeRecorder(ctx.executor().ticker().nanoTime());
  }

  void start() {
    shared.exchangeStarted();
    RequestChecks.Result checked = RequestChecks.check(request, shared.router(), shared.server().maxBodySize());
    upload = new RequestUpload(checked.bodyLength(), shared.server().maxBodySize());
    ending = new ExchangeEnding(state, ctx, shared, relay, recorder, upload, requestId, version);
    if (!checked.ok()) {
      fail(checked.error(), checked.mustClose());
      return;
    }
    if (checked.answerOptions()) {
      // Max-Forwards: 0 makes the gateway the final recipient (RFC 9110 §7.6.2).
      boolean close = mustCloseAfterEarlyAnswer();
      ending.answerOptions(close);
      client.exchangeFinished(this, !close);
      return;
    }
    Route route = checked.route();
    backend = route.backend();
    target = checked.target();
    recorder.route = route.name();
    recorder.backend = backend.name();
    timers = new ExchangeTimers(ctx, backend.config(), this::onTimeout, this::waitingOnBackend);
    admission = ExchangeAdmission.of(this, route, ctx, request, shared);
    flow = new ExchangeFlow(client, upload, relay, timers, admission, recorder, route.config().stream());
    forwarder = new Forwarder(this, flow, ctx, shared, route, upload.bodyLength(),
        upload.bodyLength() == RequestFraming.CHUNKED);
    ending.routed(admission, timers, forwarder, flow);
    if (!admission.applies()) {
      onAdmitted();
      return;
    }
    FullHttpResponse unknownKey = admission.begin(ctx, upload.bodyLength());
    if (unknownKey != null) {
      onRejected(unknownKey);
      return;
    }
    // Every body piece from now on tells the permits (before or after the grant) whether a stream is asked for.
    upload.watch(admission.bodyWatcher());
    if (admission.needsPrefix()) {
      // Admission may hold or queue the request before any backend deadline runs: bound that by the total.
      timers.startTotal();
      state.holdPrefix();
      expectContinue.sendIfOwed(ctx, version); // admission has to see the body to decide
      return;
    }
    admission.decide(upload.bodyLength());
    if (!state.isDone()) {
      // Queued (or already forwarding): the total runs from the head all the same. Armed only now so that a
      // request shed at once schedules no timer on the event loop just to cancel it.
      timers.startTotal();
    }
  }

  /** Admission let the request through: forward it, once a replayable body is complete. */
  void onAdmitted() {
    if (state.isDone()) {
      return;
    }
    expectContinue.sendIfOwed(ctx, version);
    // The whole body is held before the first attempt when it is small and declared, so a failed attempt can
    // be replayed, or a provider's path can name the request's model.
    if (forwarder.holdsWholeBody() && !upload.isComplete()) {
      state.awaitBody();
      // Reads may have stopped while the request waited for admission: ask for the rest of the body.
      client.maybeRead();
      return;
    }
    beginForwarding();
  }

  private void beginForwarding() {
    state.forward();
    admission.injectUsage(upload, ctx, request.headers());
    forwarder.begin(RequestRewriter.toUpstream(request, target.pathAndQuery(), upload.bodyLength(),
        backend.endpoints().get(0).authority(), shared.forwarding(), PeerAddresses.address(ctx.channel()),
        PeerAddresses.ip(ctx.channel()), target.authority(), requestId));
  }

  /** Admission turned the request away; {@code response} is the complete answer. */
  void onRejected(FullHttpResponse response) {
    if (state.isDone()) {
      response.release();
      return;
    }
    boolean close = ending.reject(response);
    client.exchangeFinished(this, !close);
  }

  /**
   * Whether an answer given now, before the response, must close the connection. A client still waiting for
   * {@code 100 Continue} may or may not send its body after a final answer (RFC 9110 §10.1.1), so the
   * connection cannot tell its next request from that body: it closes.
   */
  boolean mustCloseAfterEarlyAnswer() {
    return (upload.bodyPending() && (!upload.canDiscardRest() || expectContinue.owed()))
        || !clientKeepAlive || !shared.keepAliveAllowed();
  }

  // ---- what the forwarder reports ----

  /** Whether the next attempt may go to tier {@code tierIndex}: under its own permit, if it has a limit. */
  boolean enterTier(int tierIndex, Route.Tier tier) {
    return admission.enterTier(tierIndex, tier);
  }

  /** An attempt ended with {@code outcome}; another may follow. */
  void onAttemptEnded(AttemptOutcome outcome) {
    admission.attemptEnded(outcome);
  }

  /** Every tier with an endpoint for the request is at its concurrency limit: the at-capacity answer. */
  void onEveryTierFull() {
    onRejected(admission.everyTierFull(flow.reachedBackend()));
  }

  /** No endpoint of any tier is left to try. */
  void onNoAttemptPossible(GatewayError error) {
    fail(error, false);
  }

  /** The backend failed and no retry follows. */
  void onBackendFailed(GatewayError error) {
    failOrAbort(error, false);
  }

  void onBackendWritable() {
    if (!state.isDone()) {
      flow.backendWritable();
    }
  }

  void onBackendResponseHead(HttpResponse response, String backendName, Endpoint endpoint) {
    if (state.isDone()) {
      return;
    }
    if (response.decoderResult().isFailure()) {
      failOrAbort(GatewayError.UPSTREAM_PROTOCOL_ERROR, false);
      return;
    }
    boolean keepAlive = clientKeepAlive && upload.isComplete() && shared.keepAliveAllowed();
    flow.responseHead(response, method, version, requestId, keepAlive, backendName, endpoint);
  }

  void onBackendResponseContent(HttpContent content) {
    if (state.isDone() || !relay.started()) {
      content.release();
      return;
    }
    if (content.decoderResult().isFailure()) {
      content.release();
      failOrAbort(GatewayError.UPSTREAM_PROTOCOL_ERROR, false);
      return;
    }
    if (flow.responseContent(content)) {
      client.exchangeFinished(this, ending.finishResponse());
    }
  }

  void onBackendReadComplete(Channel up) {
    if (!state.isDone()) {
      flow.backendReadComplete(up);
    }
  }

  // ---- what the client side reports and asks ----

  void onRequestContent(HttpContent content) {
    if (state.isDone()) {
      boolean last = content instanceof LastHttpContent;
      content.release();
      if (state.isDiscarding() && last) {
        state.drained();
        upload.markDrained();
        client.exchangeFinished(this, true);
      }
      return;
    }
    RequestUpload.Accepted accepted = flow.accept(content, upstream());
    if (accepted == RequestUpload.Accepted.MALFORMED || accepted == RequestUpload.Accepted.TOO_LARGE) {
      content.release();
      failOrAbort(accepted == RequestUpload.Accepted.MALFORMED ? GatewayError.BAD_REQUEST
          : GatewayError.PAYLOAD_TOO_LARGE, true);
    } else if (accepted == RequestUpload.Accepted.HELD && state.phase() == ExchangeState.Phase.AWAITING_BODY) {
      if (upload.isComplete()) {
        beginForwarding();
      }
    } else if (accepted == RequestUpload.Accepted.HELD && state.phase() == ExchangeState.Phase.HOLDING_PREFIX) {
      if (admission.feedPrefix(content, upload.isComplete())) {
        state.prefixSeen();
        admission.decide(upload.bodyLength());
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
    return state.isDone() ? state.isDiscarding() : flow.wantsClientData(state, upstream());
  }

  /** Whether a silent client is what this exchange is waiting for (the client timeout applies). */
  boolean isWaitingOnClient() {
    return state.isDone() ? state.isDiscarding() : flow.waitingOnClient(state, upstream());
  }

  private boolean waitingOnBackend() {
    return !state.isDone() && flow.waitingOnBackend(upstream());
  }

  void onClientWritabilityChanged(boolean writable) {
    if (writable && !state.isDone()) {
      flow.clientWritable(upstream());
    }
  }

  // ---- endings (ExchangeEnding does the work), and what the client side is told ----

  private void onTimeout(GatewayError error) {
    if (!state.isDone()) {
      failOrAbort(error, false);
    }
  }

  /** The client stopped sending its body for longer than the client timeout. */
  void onClientTimeout() {
    if (!state.isDone()) {
      failOrAbort(GatewayError.REQUEST_TIMEOUT, true);
    }
  }

  /** The client connection closed: cancel the backend request (its connection cannot be reused). */
  void onClientClosed() {
    if (!state.isDone()) {
      ending.clientClosed();
    }
  }

  private void failOrAbort(GatewayError error, boolean clientFault) {
    if (relay.started()) {
      ending.abort(error);
      client.closeAfterFlush();
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
    ending.fail(error, close);
    client.exchangeFinished(this, !close);
  }

  // ---- facts for the forwarder, the admission gate and the client side ----

  boolean isDone() {
    return state.isDone();
  }

  /** Whether this finished exchange still eats the rest of its request body. */
  boolean isDiscarding() {
    return state.isDiscarding();
  }

  boolean responseStarted() {
    return relay.started();
  }

  /** The operator's incident controls (for the admission gate). */
  IncidentOverrides overrides() {
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
