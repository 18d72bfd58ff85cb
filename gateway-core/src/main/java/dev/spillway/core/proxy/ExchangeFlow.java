package dev.spillway.core.proxy;

import dev.spillway.core.config.StreamConfig;
import dev.spillway.core.upstream.Endpoint;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;

/**
 * The bytes of one routed exchange and the reads that pace them: the request body up to the current attempt's
 * connection ({@link RequestUpload}), the response down to the client ({@link ResponseRelay}), and which side
 * is read when. The client is read only while the backend connection is writable, the backend only while
 * the client is; each side's progress feeds the idle deadline.
 *
 * <p>It moves no state of the exchange: {@link ProxyExchange} checks the {@link ExchangeState} before
 * every call, passes it where a decision depends on it, and acts on what the calls return.
 *
 * <p>Ownership: a piece passed to {@link #accept} is held or written by the upload (or, when refused, left to
 * the caller to release); a piece passed to {@link #responseContent} is written to the client.
 */
final class ExchangeFlow {
  /** How much of the request a backend has got (over every attempt). */
  private enum Sent { NOTHING, HEAD, WHOLE }

  private final ExchangeClient client;
  private final ChannelHandlerContext ctx;
  private final RequestUpload upload;
  private final ResponseRelay relay;
  private final ExchangeTimers timers;
  private final ExchangeAdmission admission;
  private final ExchangeRecorder recorder;
  /** The route's stream settings: timeouts and heartbeats once the response is an event stream. */
  private final StreamConfig streamConfig;
  private Sent sent = Sent.NOTHING;

  ExchangeFlow(ExchangeClient client, RequestUpload upload, ResponseRelay relay, ExchangeTimers timers,
      ExchangeAdmission admission, ExchangeRecorder recorder, StreamConfig streamConfig) {
    this.client = client;
    this.ctx = client.context();
    this.upload = upload;
    this.relay = relay;
    this.timers = timers;
    this.admission = admission;
    this.recorder = recorder;
    this.streamConfig = streamConfig;
  }

  // ---- request, client → backend ----

  /** An attempt begins on the endpoint the planner picked: record it; its response deadline starts afresh. */
  void attemptStarting(AttemptPlanner.Pick pick, int attempts) {
    recorder.attempt(pick.lease().endpoint().toString(), attempts, pick.tierIndex(), pick.tier().backend().name());
    timers.newAttempt();
  }

  /** The top-level {@code model} of the body held so far, or {@code null} (for a provider's path template). */
  String requestModel() {
    return upload.heldModel();
  }

  /** An attempt has its connection: send the head and whatever body is held, then stream the rest. */
  void send(Channel up, HttpRequest head, String model, boolean replay) {
    if (sent == Sent.NOTHING) {
      sent = Sent.HEAD;
    }
    admission.requestSent(nowNanos());
    upload.send(up, head, model, replay, ctx.alloc());
    if (upload.isComplete()) {
      wholeRequestSent();
    }
    timers.startIdle();
    up.read();
    client.maybeRead();
  }

  /** Takes a body piece from the client: held, or written to {@code up}, the current attempt's connection. */
  RequestUpload.Accepted accept(HttpContent content, Channel up) {
    RequestUpload.Accepted accepted = upload.accept(content, up);
    if (accepted == RequestUpload.Accepted.WRITTEN) {
      timers.progress();
      if (upload.isComplete()) {
        wholeRequestSent();
      }
    }
    return accepted;
  }

  private void wholeRequestSent() {
    sent = Sent.WHOLE;
    timers.startResponse();
  }

  /** Whether any of the request went to a backend. */
  boolean reachedBackend() {
    return sent != Sent.NOTHING;
  }

  /** Whether the whole request went to a backend (so its connection may be reused after the response). */
  boolean wholeRequestSentEver() {
    return sent == Sent.WHOLE;
  }

  /** The backend can take more of the body again: read the client. */
  void backendWritable() {
    if (!upload.isComplete()) {
      timers.progress();
      client.resumeReading();
    }
  }

  // ---- which side is read ----

  // Each takes the current attempt's connection, {@code up}, or null when there is none.

  /** See {@link ProxyExchange#wantsClientData()}; {@code state} is not done. */
  boolean wantsClientData(ExchangeState state, Channel up) {
    if (upload.isComplete() || state.holdsBody()) {
      return true;
    }
    return up != null && up.isWritable();
  }

  /** See {@link ProxyExchange#isWaitingOnClient()}; {@code state} is not done. */
  boolean waitingOnClient(ExchangeState state, Channel up) {
    return !upload.isComplete() && (state.holdsBody() || (up != null && up.isWritable()));
  }

  /** Whether the backend is what a still running exchange waits on (the idle deadline applies). */
  boolean waitingOnBackend(Channel up) {
    if (up == null) {
      return false;
    }
    if (!upload.isComplete()) {
      return !up.isWritable();
    }
    // Before the response head, the response timeout is the one that applies.
    return relay.started() && ctx.channel().isWritable();
  }

  // ---- response, backend → client ----

  /**
   * Writes the (well formed) response head to the client, for the request's {@code method} and
   * {@code version}; the exchange and the relay end the response as the head says.
   *
   * @param keepAlive whether the client connection may carry the next request
   */
  void responseHead(HttpResponse response, HttpMethod method, HttpVersion version, String requestId,
      boolean keepAlive, String backendName, Endpoint endpoint) {
    timers.responseHeadReceived();
    relay.head(response, method, version, requestId, keepAlive, admission.gate(), backendName, endpoint);
    recorder.responseHead(relay.status(), relay.eventStream(), nowNanos());
    if (relay.eventStream()) {
      timers.useStreamSettings(streamConfig);
    }
  }

  /** Writes a (well formed) body piece to the client; returns whether it was the last. */
  boolean responseContent(HttpContent content) {
    timers.progress();
    recorder.responseBytes += content.content().readableBytes();
    timers.responseData(content.content());
    return relay.content(content, admission.gate());
  }

  /** End of a backend read: flush to the client, and read on only if the client keeps up. */
  void backendReadComplete(Channel up) {
    relay.readComplete(up);
  }

  /** The client can take more again: resume reading from the backend. */
  void clientWritable(Channel up) {
    if (up != null) {
      timers.progress();
      relay.clientWritable(up);
    }
  }

  private long nowNanos() {
    return ctx.executor().ticker().nanoTime();
  }
}
