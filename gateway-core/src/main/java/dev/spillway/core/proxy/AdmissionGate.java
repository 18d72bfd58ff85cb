package dev.spillway.core.proxy;

import dev.spillway.core.admission.RouteAdmission;
import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.admission.Tenant;
import dev.spillway.core.admission.concurrency.BackendAdmission;
import dev.spillway.core.admission.concurrency.LatencySample;
import dev.spillway.core.admission.concurrency.Permit;
import dev.spillway.core.admission.concurrency.PermitCallback;
import dev.spillway.core.admission.concurrency.WaitRequest;
import dev.spillway.core.admission.concurrency.Waiter;
import dev.spillway.core.admission.ratelimit.RateDecision;
import dev.spillway.core.admission.ratelimit.RateLimitStatus;
import dev.spillway.core.admission.ratelimit.TokenReservation;
import dev.spillway.core.admission.reject.ContentNegotiation;
import dev.spillway.core.admission.reject.RateLimitHeaders;
import dev.spillway.core.admission.reject.RejectionResponses;
import dev.spillway.core.admission.reject.RejectionShape;
import dev.spillway.core.attempt.AttemptOutcome;
import dev.spillway.core.config.PriorityClass;
import dev.spillway.core.config.TierConfig;
import dev.spillway.core.incident.IncidentOverrides;
import dev.spillway.core.llm.ChatRequestInfo;
import dev.spillway.core.llm.ChatRequestScanner;
import dev.spillway.core.llm.LlmApi;
import dev.spillway.core.llm.SseUsageFilter;
import dev.spillway.core.llm.TokenEstimate;
import dev.spillway.core.llm.Usage;
import dev.spillway.core.routing.Route;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetAddress;
import java.util.List;

/**
 * One request's passage through admission control, and the accounting that follows it to the end:
 * <ol>
 *   <li>identify the tenant (401 when the route requires a known key);
 *   <li>when token limits apply, hold a bounded prefix of the body and estimate the request's tokens;
 *   <li>rate limits: reserve requests and the token estimate, or answer 429;
 *   <li>the primary backend's concurrency limit: a permit now, a wait in the room, an overflow to a later
 *       failover tier under that tier's own limit (when the tier lets the request's class overflow), or 503;
 *   <li>each attempt runs under its tier's permit ({@link TierPermits}): an attempt on another tier completes
 *       the permit held and takes that tier's;
 *   <li>after the response: settle the reservation from {@code usage} (or from what was streamed) and
 *       complete the permit from the last attempt's {@link AttemptOutcome}, with a latency sample for a
 *       clean answer.
 * </ol>
 * The reservation and the permit are each completed exactly once, on every path: success, rejection, client
 * cancel, timeout, backend failure. Runs on the exchange's event loop; the waiting room calls back there too.
 */
final class AdmissionGate implements PermitCallback {
  private static final String ANTHROPIC_VERSION = "anthropic-version";
  private static final TierConfig NO_TIER = new TierConfig("none", PriorityClass.STANDARD, List.of());

  private final ProxyExchange exchange;
  private final RouteAdmission route;
  private final BackendAdmission backend;
  private final List<Route.Tier> tiers;
  private final EventExecutor executor;
  private final HttpRequest request;
  private final RejectionResponses fallbackRejections;
  /** The API the request speaks, from its path: how to estimate, and the shape of rejections. */
  private final LlmApi api;
  private Tenant tenant;
  private RateDecision decision;
  private TokenReservation reservation = TokenReservation.NONE;
  private final TierPermits permits = new TierPermits();
  private Waiter waiter;
  private ChatRequestScanner scanner;
  private long heldBytes;
  private long promptTokens;
  private boolean injectUsage;
  private final ResponseUsage usage = new ResponseUsage();
  private long sentNanos;
  private boolean eventStream;
  /** When an event stream's first content arrived (executor ticker), or -1: the stream's latency sample. */
  private long firstContentNanos = -1;
  private boolean finished;
  private ShedReason shedReason;
  private long waitStartNanos;
  private long queueWaitNanos = -1;

  /**
   * @param route the route's admission, or {@code null} (then only the backend's concurrency limit applies)
   * @param tiers the route's failover tiers; the first one's concurrency limit (if any) is where the request
   *     waits, and every tier's limit (if any) is taken when an attempt goes there
   * @param fallbackRejections answers for routes without their own rejection settings
   */
  AdmissionGate(ProxyExchange exchange, RouteAdmission route, List<Route.Tier> tiers, EventExecutor executor,
      HttpRequest request, RejectionResponses fallbackRejections) {
    this.exchange = exchange;
    this.route = route;
    this.tiers = tiers;
    this.backend = tiers.get(0).backend().admission();
    this.executor = executor;
    this.request = request;
    this.fallbackRejections = fallbackRejections;
    this.api = LlmApi.of(request.uri());
  }

  /**
   * Identifies the tenant. Returns {@code false} when the route refuses unknown keys; the caller answers
   * with {@link #unknownKeyResponse}.
   *
   * @param hasBody whether the request carries a body to estimate tokens from
   */
  boolean begin(InetAddress peer, boolean hasBody) {
    if (route == null) {
      tenant = new Tenant("anonymous", "anonymous", NO_TIER, false);
      return true;
    }
    tenant = route.tenants().resolve(request.headers(), peer);
    if (tenant == null) {
      return false;
    }
    if (hasBody && route.countsTokens(tenant)) {
      scanner = route.estimator().newScanner();
    }
    return true;
  }

  /** Whether admission must see a body prefix before it can decide. */
  boolean needsPrefix() {
    return scanner != null;
  }

  /** A held body piece; the exchange keeps ownership. */
  void feed(HttpContent content) {
    ByteBuf buf = content.content();
    heldBytes += buf.readableBytes();
    scanner.feed(buf);
  }

  /** Whether enough of the body has been held to estimate. */
  boolean prefixSatisfied(boolean requestComplete) {
    return requestComplete || scanner.done() || heldBytes >= route.tokens().maxPrefixBytes();
  }

  /**
   * Runs the rate limits and the concurrency limit. Ends in exactly one of {@code exchange.onAdmitted()},
   * {@code exchange.onRejected(..)}, or a wait whose outcome calls one of them later.
   */
  void decide(long contentLength) {
    if (exchange.overrides().atTheDoor() && operatorTurnsAway()) {
      return;
    }
    if (route != null) {
      long estimate = 0;
      if (scanner != null) {
        ChatRequestInfo info = scanner.info();
        TokenEstimate tokens = route.estimator().estimate(scanner, contentLength, api);
        estimate = tokens.reserve();
        promptTokens = tokens.promptTokens();
        // Only the OpenAI chat and completions APIs know stream_options; others report usage unasked.
        injectUsage = route.tokens().requestUsage() && api.acceptsStreamOptions() && info.stream()
            && !info.includeUsage() && info.complete();
      }
      decision = route.limiter().acquire(tenant, estimate);
      if (!decision.admitted()) {
        exchange.onRejected(rejection(decision.reason(), decision.retryAfterNanos(), decision.retryPointless()));
        return;
      }
      reservation = decision.reservation();
    }
    if (backend == null) {
      exchange.onAdmitted();
      return;
    }
    WaitRequest wait = new WaitRequest(tenant.priority(), tenant.key(), ClientHints.isRetry(request.headers()),
        ClientHints.deadline(request.headers(), backend.nowNanos()));
    waitStartNanos = backend.nowNanos();
    waiter = backend.acquire(wait, executor, this);
  }

  @Override
  public void onPermit(Permit granted) {
    waiter = null;
    queueWaitNanos = backend.nowNanos() - waitStartNanos;
    if (finished) {
      granted.onIgnore();
      return;
    }
    permits.hold(0, granted);
    exchange.onAdmitted();
  }

  @Override
  public void onShed(ShedReason reason, long retryAfterNanos) {
    waiter = null;
    queueWaitNanos = backend.nowNanos() - waitStartNanos;
    if (finished) {
      return;
    }
    if (permits.overflow(tiers, tenant.priority())) {
      exchange.onAdmitted();
      return;
    }
    reservation.release();
    exchange.onRejected(rejection(reason, retryAfterNanos, false));
  }

  /** An operator's shedding or maintenance ({@link IncidentOverrides}) answers the request, or lets it on. */
  private boolean operatorTurnsAway() {
    IncidentOverrides overrides = exchange.overrides();
    ShedReason reason = overrides.turnAway(exchange.routeName(), tenant);
    FullHttpResponse answer = reason != ShedReason.MAINTENANCE ? null : overrides.maintenanceAnswer(
        exchange.routeName(), rejectionShape(), request.protocolVersion(), exchange.requestId(),
        exchange.mustCloseAfterEarlyAnswer());
    if (reason == null || (reason == ShedReason.MAINTENANCE && answer == null)) {
      return false;
    }
    if (answer != null) {
      finished = true;
      shedReason = reason;
    }
    exchange.onRejected(answer != null ? answer : rejection(reason, 0, false));
    return true;
  }

  /** Lets the next attempt into tier {@code tierIndex} under the tier's own permit ({@link TierPermits#enter}). */
  boolean enterTier(int tierIndex, Route.Tier tier) {
    return !finished && permits.enter(tierIndex, tier.backend().admission(), tenant.priority());
  }

  /** An attempt ended with {@code outcome} and another may follow (its tier's permit remembers it). */
  void attemptEnded(AttemptOutcome outcome) {
    permits.attemptEnded(outcome);
  }

  /**
   * Every tier that had an endpoint for the request was full: the at-capacity answer, as if the waiting room
   * had no place.
   *
   * @param reachedBackend whether an earlier attempt sent the request to a backend
   */
  FullHttpResponse everyTierFull(boolean reachedBackend) {
    abandon(reachedBackend, AttemptOutcome.CANCELLED);
    return rejection(ShedReason.QUEUE_FULL, 0, false);
  }

  /** The backend the request overflowed from (its waiting room was full), or {@code null}. */
  String overflowFrom() {
    return permits.overflowFrom();
  }

  FullHttpResponse unknownKeyResponse() {
    finished = true;
    shedReason = ShedReason.UNKNOWN_KEY;
    return route.rejections().build(ShedReason.UNKNOWN_KEY, RateLimitStatus.NONE, 0, true,
        ContentNegotiation.prefersHtml(request.headers()), request.protocolVersion(), exchange.requestId(),
        exchange.mustCloseAfterEarlyAnswer(), null, rejectionShape());
  }

  private FullHttpResponse rejection(ShedReason reason, long retryAfterNanos, boolean retryPointless) {
    finished = true;
    shedReason = reason;
    RateLimitStatus status = decision != null ? decision.status() : RateLimitStatus.NONE;
    RejectionResponses responses = route != null ? route.rejections() : fallbackRejections;
    return responses.build(reason, status, retryAfterNanos, retryPointless,
        ContentNegotiation.prefersHtml(request.headers()), request.protocolVersion(), exchange.requestId(),
        exchange.mustCloseAfterEarlyAnswer(), decision != null ? decision.oversize() : null, rejectionShape());
  }

  /** Anthropic's error shape for a request to a Messages path or from an Anthropic SDK, OpenAI's otherwise. */
  private RejectionShape rejectionShape() {
    return api == LlmApi.ANTHROPIC_MESSAGES || request.headers().contains(ANTHROPIC_VERSION)
        ? RejectionShape.ANTHROPIC : RejectionShape.OPENAI;
  }

  /** Whether the held body should be rewritten to ask the backend for a final usage chunk. */
  boolean wantsUsageInjection() {
    return injectUsage;
  }

  /** Whether the rewrite happened; only then is the extra usage chunk removed from the stream. */
  void usageInjected(boolean done) {
    injectUsage = done;
  }

  /** Marks the moment the request head went to the backend (start of the latency sample). */
  void requestSent(long nowNanos) {
    sentNanos = nowNanos;
  }

  /** Adds rate-limit headers to any answer from a limited route, and prepares usage tracking. */
  void onResponseHead(HttpHeaders headers, boolean eventStream, long nowNanos) {
    this.eventStream = eventStream;
    decorate(headers);
    usage.start(eventStream, scanner != null, injectUsage);
  }

  /** Adds the rate-limit headers (for gateway error answers on a limited route too). */
  void decorate(HttpHeaders headers) {
    if (decision != null && !decision.status().isEmpty()) {
      RateLimitHeaders.apply(headers, decision.status());
    }
  }

  /** Passes a response piece through usage tracking; may return a different message (owning the buffer). */
  HttpContent filter(HttpContent content) {
    if (eventStream && firstContentNanos < 0 && !usage.filtersStream() && content.content().isReadable()) {
      firstContent();
    }
    HttpContent out = usage.process(content);
    if (firstContentNanos < 0 && usage.filtersStream() && usage.contentEvents() > 0) {
      firstContent();
    }
    return out;
  }

  /** The stream's first content: the limit hears of its time to first token now, not when the stream ends. */
  private void firstContent() {
    firstContentNanos = executor.ticker().nanoTime();
    permits.firstToken(LatencySample.firstToken(firstContentNanos - sentNanos));
  }

  /** The backend's response ended cleanly with {@code status}. */
  void complete(int status, long nowNanos) {
    if (finished) {
      return;
    }
    finished = true;
    settleFromResponse();
    Permit permit = permits.finish(AttemptOutcome.ofStatus(status));
    if (permit != null) {
      permit.onSuccess(latencySample(nowNanos));
    }
    usage.close();
  }

  /**
   * The exchange ended without a clean response.
   *
   * @param reachedBackend whether the request was (at least partly) sent to a backend
   * @param outcome how the attempt in flight ended ({@link AttemptOutcome#CANCELLED} when none was): the
   *     permit is completed from it, never with a latency sample
   */
  void abandon(boolean reachedBackend, AttemptOutcome outcome) {
    if (waiter != null) {
      waiter.cancel();
      waiter = null;
    }
    if (finished) {
      usage.close();
      return;
    }
    finished = true;
    if (!reachedBackend) {
      reservation.release();
    } else {
      settleFromResponse();
    }
    Permit permit = permits.finish(outcome);
    if (permit != null) {
      permit.onIgnore(); // no clean answer: no latency sample
    }
    usage.close();
  }

  /** Settles the reservation from {@code usage}, else from what was streamed, else as reserved. */
  private void settleFromResponse() {
    Usage u = usage.usage();
    if (u != null) {
      reservation.settle(u.totalTokens());
    } else if (usage.filtersStream()) {
      reservation.settle(promptTokens + usage.contentEvents());
    } else {
      reservation.settle(reservation.reservedTokens());
    }
  }

  /**
   * The limit's congestion signal: an event stream's time to its first content, a non-streamed answer's time
   * per completion token (never its whole time: that measures the answer's length).
   */
  private LatencySample latencySample(long nowNanos) {
    if (eventStream) {
      return firstContentNanos < 0 ? LatencySample.NONE : LatencySample.firstToken(firstContentNanos - sentNanos);
    }
    Usage u = usage.usage();
    return LatencySample.perToken(nowNanos - sentNanos, u != null ? u.completionTokens() : -1);
  }

  Tenant tenant() {
    return tenant;
  }

  /** Why admission refused the request, or {@code null}. */
  ShedReason shedReason() {
    return shedReason;
  }

  /** Prompt tokens from {@code usage}, else the estimate (0 when tokens are not counted). */
  long promptTokens() {
    Usage u = usage.usage();
    return u != null ? u.promptTokens() : promptTokens;
  }

  /** Completion tokens from {@code usage}, else counted from the stream, else 0. */
  long completionTokens() {
    Usage u = usage.usage();
    return u != null ? u.completionTokens() : usage.streamedTokens();
  }

  /** Time in the waiting room, or -1 when the request never asked the backend for a slot. */
  long queueWaitNanos() {
    return queueWaitNanos;
  }

  boolean shadowRejected() {
    return decision != null && decision.shadowRejected();
  }
}
