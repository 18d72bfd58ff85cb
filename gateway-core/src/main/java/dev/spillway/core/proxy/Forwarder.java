package dev.spillway.core.proxy;

import dev.spillway.core.attempt.AttemptOutcome;
import dev.spillway.core.config.ProviderConfig;
import dev.spillway.core.http.GatewayError;
import dev.spillway.core.llm.LlmEndpoints;
import dev.spillway.core.http.ProxyHeaders;
import dev.spillway.core.retry.RetryDecision;
import dev.spillway.core.routing.Route;
import dev.spillway.core.upstream.resilience.UpstreamPause;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * The backend side of an exchange: runs its attempts one after another, each on the tier and endpoint the
 * {@link AttemptPlanner} picks, and decides after a failure whether to try again. Events of an attempt the
 * exchange has moved on from are dropped here (their body pieces released), so the exchange only ever hears
 * from its current attempt.
 *
 * <p>A request is replayable when its whole body is held (declared and small, see
 * {@link AttemptPlanner#canReplay}); only then is a failure before the response retried, and a retryable
 * answer ({@code 429}/{@code 502}/{@code 503}/{@code 529}) swallowed in favour of the next attempt.
 *
 * <p>How each attempt ended is one {@link AttemptOutcome}, decided here or in {@link UpstreamAttempt}, and
 * handed to the endpoint (breaker, ejection), to the retry decision and to the exchange (the tier's
 * concurrency permit) alike.
 */
final class Forwarder {
  private final ProxyExchange exchange;
  /** Books each attempt and sends its request. */
  private final ExchangeFlow flow;
  private final ChannelHandlerContext ctx;
  private final ProxyContext shared;
  private final AttemptPlanner planner;
  private final boolean replayable;
  /**
   * The whole body is held before the first attempt even without retries, because a tier's backend builds its
   * path from the request's model ({@code {model}}) and the tier names none.
   */
  private final boolean modelFromBody;
  private HttpRequest head;
  private UpstreamAttempt attempt;
  private Route.Tier tier;
  private ScheduledFuture<?> retryTask;
  /** What the last failed attempt would have answered, should no further attempt be possible. */
  private GatewayError lastError;
  /** How long a replayable stream is held back waiting for its first token; 0 when never. */
  private final long firstTokenNanos;
  private FirstTokenHold hold;
  private ScheduledFuture<?> holdTimer;

  Forwarder(ProxyExchange exchange, ExchangeFlow flow, ChannelHandlerContext ctx, ProxyContext shared,
      Route route, long bodyLength, boolean chunked) {
    this.exchange = exchange;
    this.flow = flow;
    this.ctx = ctx;
    this.shared = shared;
    this.planner = new AttemptPlanner(route);
    this.replayable = planner.mayRetry() && !chunked && planner.canReplay(Math.max(0, bodyLength));
    this.modelFromBody = !chunked && bodyLength <= MODEL_BODY_LIMIT && anyPathNeedsModel(route);
    this.firstTokenNanos = route.config().stream().holdsFirstToken()
        ? route.config().stream().firstTokenTimeout().toNanos() : 0;
  }

  /** Whether a tier names no model while its provider's path needs one; a plain loop, run for every request. */
  private static boolean anyPathNeedsModel(Route route) {
    for (Route.Tier t : route.tiers()) {
      if (t.model() == null && t.backend().config().provider().pathNeedsModel()) {
        return true;
      }
    }
    return false;
  }

  /** Largest body held whole so that a provider's path can name the request's model. */
  static final long MODEL_BODY_LIMIT = 1 << 20;

  /** Whether the whole body can be replayed by a further attempt. */
  boolean replayable() {
    return replayable;
  }

  /**
   * Whether the whole body must be held before the first attempt: so that attempts can replay it, or so that a
   * provider's path template can read the model from it.
   */
  boolean holdsWholeBody() {
    return replayable || modelFromBody;
  }

  /** Starts forwarding {@code upstreamHead} (rewritten for the backends; its Host is set per attempt). */
  void begin(HttpRequest upstreamHead) {
    this.head = upstreamHead;
    // An HTTP/2 stream's TLS is on its connection's pipeline.
    Channel connection = ctx.channel() instanceof Http2StreamChannel stream ? stream.parent() : ctx.channel();
    if (connection.pipeline().get(SslHandler.class) != null) {
      upstreamHead.headers().set(ProxyHeaders.X_FORWARDED_PROTO, "https");
    }
    startAttempt();
  }

  private void startAttempt() {
    retryTask = null;
    if (exchange.isDone()) {
      return;
    }
    AttemptPlanner.Pick pick = planner.next(exchange::enterTier);
    if (pick == null) {
      if (planner.sawFullTier()) {
        // A tier that had an endpoint but no slot: the request was turned away for capacity, not an error.
        exchange.onEveryTierFull();
      } else {
        exchange.onNoAttemptPossible(lastError != null ? lastError : GatewayError.NO_AVAILABLE_ENDPOINT);
      }
      return;
    }
    tier = pick.tier();
    flow.attemptStarting(pick, planner.attempts());
    attempt = new UpstreamAttempt(this, pick.lease(), nowNanos());
    attempt.start(shared.pools(), ctx.channel().eventLoop(), tier.backend());
  }

  /**
   * Tries again after a failure before any response reached the client, if the route's policy and budget
   * allow; returns whether a retry was scheduled.
   */
  private boolean retry(AttemptOutcome outcome, GatewayError error, long retryAfterNanos) {
    if (!replayable || exchange.responseStarted() || exchange.isDone() || !planner.hasUntried()) {
      return false;
    }
    RetryDecision decision = planner.decide(outcome, true, retryAfterNanos);
    if (!decision.shouldRetry()) {
      return false;
    }
    lastError = error;
    retryTask = ctx.executor().schedule(this::startAttempt, decision.delayNanos(), TimeUnit.NANOSECONDS);
    return true;
  }

  // ---- events of attempts ----

  void onAttemptConnected(UpstreamAttempt from, Channel up) {
    if (from != attempt || exchange.isDone()) {
      from.abandon(null);
      return;
    }
    HttpRequest attemptHead = headFor(from);
    if (attemptHead == null) {
      exchange.onNoAttemptPossible(GatewayError.MODEL_REQUIRED);
      return;
    }
    flow.send(up, attemptHead, tier.model(), replayable);
  }

  /**
   * The first attempt sends the rewritten head; later ones, a tier with its own model or a provider backend, a
   * copy (so no provider's key or path reaches another backend). {@code null} when the backend's path needs
   * a model the request does not name.
   */
  private HttpRequest headFor(UpstreamAttempt from) {
    ProviderConfig provider = tier.backend().config().provider();
    if (planner.attempts() == 1 && tier.model() == null && provider.isNone()) {
      head.headers().set(HttpHeaderNames.HOST, from.endpoint().authority());
      return head;
    }
    HttpRequest copy = new DefaultHttpRequest(HttpVersion.HTTP_1_1, head.method(), head.uri(),
        head.headers().copy());
    copy.headers().set(HttpHeaderNames.HOST, from.endpoint().authority());
    if (!provider.isNone()) {
      String model = tier.model() != null || !provider.pathNeedsModel() ? tier.model() : flow.requestModel();
      if (model == null && provider.pathNeedsModel()) {
        return null;
      }
      ProviderRewriter.apply(copy, provider, model);
    }
    return copy;
  }

  /** The attempt failed with {@code outcome} (the endpoint has been told already). */
  void onAttemptFailed(UpstreamAttempt from, GatewayError error, AttemptOutcome outcome) {
    if (from != attempt || exchange.isDone()) {
      return;
    }
    attempt = null;
    dropHold();
    exchange.onAttemptEnded(outcome);
    if (!retry(outcome, error, -1)) {
      exchange.onBackendFailed(error);
    }
  }

  void onAttemptResponseHead(UpstreamAttempt from, HttpResponse response) {
    if (from != attempt || exchange.isDone()) {
      return;
    }
    int status = response.status().code();
    AttemptOutcome outcome = AttemptOutcome.ofStatus(status);
    if (replayable && response.decoderResult().isSuccess() && outcome.retryable()) {
      long pause = UpstreamPause.pauseNanos(status, response.headers(), Clock.systemUTC());
      if (retry(outcome, GatewayError.UPSTREAM_UNAVAILABLE, pause)) {
        // Not relayed: the next attempt answers. The rest of this response goes with its connection.
        attempt = null;
        from.abandon(outcome);
        exchange.onAttemptEnded(outcome);
        return;
      }
    }
    if (replayable && firstTokenNanos > 0 && status == 200 && response.decoderResult().isSuccess()
        && ResponseRewriter.isEventStream(response) && LlmEndpoints.isLlmRequest(head.method(), head.uri())) {
      // Stream-safe failover: nothing reaches the client until the first token, so a failure before it
      // can still go elsewhere.
      hold = new FirstTokenHold(response);
      holdTimer = ctx.executor().schedule(() -> onFirstTokenTimeout(from), firstTokenNanos, TimeUnit.NANOSECONDS);
      return;
    }
    exchange.onBackendResponseHead(response, tier.backend().name(), from.endpoint());
  }

  void onAttemptResponseContent(UpstreamAttempt from, HttpContent content) {
    if (from != attempt) {
      content.release();
      return;
    }
    if (hold != null) {
      if (hold.add(content)) {
        if (hold.failedBeforeContent()
            && retry(AttemptOutcome.STREAM_ERROR_BEFORE_CONTENT, GatewayError.UPSTREAM_UNAVAILABLE, -1)) {
          dropHold();
          attempt = null;
          from.abandon(AttemptOutcome.STREAM_ERROR_BEFORE_CONTENT);
          return;
        }
        commitHold();
      }
      return;
    }
    exchange.onBackendResponseContent(content);
  }

  /** The held stream may go to the client: its head, then every piece held so far, in order. */
  private void commitHold() {
    FirstTokenHold h = hold;
    hold = null;
    cancelHoldTimer();
    exchange.onBackendResponseHead(h.head(), tier.backend().name(), attempt.endpoint());
    h.drainTo(exchange::onBackendResponseContent);
  }

  /**
   * No first token in time: try elsewhere when the route allows, otherwise let the slow stream through (a
   * slow answer beats none).
   */
  private void onFirstTokenTimeout(UpstreamAttempt from) {
    holdTimer = null;
    if (from != attempt || hold == null) {
      return;
    }
    if (retry(AttemptOutcome.FIRST_TOKEN_TIMEOUT, GatewayError.UPSTREAM_RESPONSE_TIMEOUT, -1)) {
      dropHold();
      attempt = null;
      from.abandon(AttemptOutcome.FIRST_TOKEN_TIMEOUT);
      exchange.onAttemptEnded(AttemptOutcome.FIRST_TOKEN_TIMEOUT);
    } else {
      commitHold();
    }
  }

  private void dropHold() {
    cancelHoldTimer();
    if (hold != null) {
      hold.release();
      hold = null;
    }
  }

  private void cancelHoldTimer() {
    if (holdTimer != null) {
      holdTimer.cancel(false);
      holdTimer = null;
    }
  }

  void onAttemptReadComplete(UpstreamAttempt from, Channel up) {
    if (from == attempt) {
      exchange.onBackendReadComplete(up);
    }
  }

  void onAttemptWritabilityChanged(UpstreamAttempt from, boolean writable) {
    if (from == attempt && writable) {
      exchange.onBackendWritable();
    }
  }

  long nowNanos() {
    return ctx.executor().ticker().nanoTime();
  }

  // ---- endings ----

  /** The current attempt's connection, or {@code null}. */
  Channel channel() {
    return attempt == null ? null : attempt.channel();
  }

  /** The response ended cleanly: complete the attempt (pooling its connection when {@code reusable}). */
  void complete(int status, boolean reusable) {
    if (attempt != null) {
      attempt.complete(status, reusable);
      attempt = null;
    }
  }

  /**
   * How the current attempt ends if the exchange ends now with {@code cause}: {@link AttemptOutcome#ofError}
   * for the attempt in flight, {@link AttemptOutcome#CANCELLED} when none is (a failed attempt has reported
   * its own outcome already).
   */
  AttemptOutcome outcomeOf(GatewayError cause) {
    return attempt == null ? AttemptOutcome.CANCELLED : AttemptOutcome.ofError(cause, attempt.requestSent());
  }

  /**
   * Stops forwarding: a scheduled retry is cancelled and the current attempt abandoned.
   *
   * @param cause the error that ended the exchange, or {@code null}; judged by {@link #outcomeOf}, so only the
   *     backend's own failures count against the endpoint, not a client leaving or a bad request
   */
  void abandon(GatewayError cause) {
    dropHold();
    if (retryTask != null) {
      retryTask.cancel(false);
      retryTask = null;
    }
    if (attempt != null) {
      attempt.abandon(outcomeOf(cause));
      attempt = null;
    }
  }
}
