package dev.spillway.core.proxy;

import dev.spillway.core.admission.RouteAdmission;
import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.admission.Tenant;
import dev.spillway.core.admission.concurrency.WaitRequest;
import dev.spillway.core.admission.ratelimit.RateDecision;
import dev.spillway.core.admission.ratelimit.TokenReservation;
import dev.spillway.core.admission.reject.RateLimitHeaders;
import dev.spillway.core.admission.reject.RejectionResponses;
import dev.spillway.core.attempt.AttemptOutcome;
import dev.spillway.core.config.PriorityClass;
import dev.spillway.core.config.TierConfig;
import dev.spillway.core.llm.LlmApi;
import dev.spillway.core.llm.StreamFlagScanner;
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
 *   <li>when token limits apply, hold a bounded prefix of the body and estimate the request's tokens
 *       ({@link PromptEstimate});
 *   <li>rate limits: reserve requests and the token estimate, or answer 429;
 *   <li>the concurrency slot ({@link TierAdmission}): the primary's permit now, an overflow to a later failover
 *       tier under that tier's own limit, a wait in the primary's room, or 503; each attempt runs under its
 *       tier's permit, an attempt on another tier completes the permit held and takes that tier's;
 *   <li>after the response ({@link ResponseMeter}): settle the reservation from {@code usage} (or from what
 *       was streamed) and complete the permit from the last attempt's {@link AttemptOutcome}, with a latency
 *       sample for a clean answer.
 * </ol>
 * Rejections are built by {@link AdmissionAnswers}.
 * The reservation and the permit are each completed exactly once, on every path: success, rejection, client
 * cancel, timeout, backend failure. Runs on the exchange's event loop; the waiting room calls back there too.
 */
final class AdmissionGate implements TierAdmission.Verdict {
  private static final TierConfig NO_TIER = new TierConfig("none", PriorityClass.STANDARD, List.of());

  private final ProxyExchange exchange;
  private final RouteAdmission route;
  private final TierAdmission slot;
  private final HttpRequest request;
  private final AdmissionAnswers answers;
  /** The API the request speaks, from its path: how to estimate, and the shape of rejections. */
  private final LlmApi api;
  private Tenant tenant;
  private RateDecision decision;
  private TokenReservation reservation = TokenReservation.NONE;
  /** The request's token estimate, when the route counts its tokens; else {@code null}. */
  private PromptEstimate estimate;
  private final ResponseMeter meter;
  /**
   * Reads from the body whether it asks for a stream, when a tier's limit wants to know and the answer has not
   * begun; else {@code null}.
   */
  private StreamFlagScanner streamFlag;
  private boolean finished;
  private ShedReason shedReason;

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
    this.slot = new TierAdmission(tiers, executor, this);
    this.meter = new ResponseMeter(executor, slot::firstToken);
    this.request = request;
    this.api = LlmApi.of(request.uri());
    this.answers = new AdmissionAnswers(exchange, route, request, api, fallbackRejections);
  }

  /**
   * Identifies the tenant. Returns {@code false} when the route refuses unknown keys; the caller answers
   * with {@link #unknownKeyResponse}.
   *
   * @param hasBody whether the request carries a body, to estimate tokens from and to read its stream flag from
   */
  boolean begin(InetAddress peer, boolean hasBody) {
    if (hasBody && slot.wantsRequestKind()) {
      streamFlag = new StreamFlagScanner();
    }
    if (route == null) {
      tenant = new Tenant("anonymous", "anonymous", NO_TIER, false);
      return true;
    }
    tenant = route.tenants().resolve(request.headers(), peer);
    if (tenant == null) {
      return false;
    }
    if (hasBody && route.countsTokens(tenant)) {
      estimate = new PromptEstimate(route, api);
    }
    return true;
  }

  /**
   * What reads every body piece the exchange takes, to tell the request's permits whether it asks for a
   * streamed answer; {@code null} when no tier has a limit or the request has no body (nothing to tell).
   */
  RequestUpload.Watcher bodyWatcher() {
    return streamFlag == null ? null : this::bodyPiece;
  }

  /** A body piece, read only: once the body shows its kind the permits are told; if it never does, nothing. */
  private void bodyPiece(ByteBuf body) {
    if (streamFlag != null && streamFlag.feed(body)) {
      slot.requestKind(streamFlag.kind() == StreamFlagScanner.Kind.STREAMED);
    }
  }

  /** Whether admission must see a body prefix before it can decide. */
  boolean needsPrefix() {
    return estimate != null;
  }

  /** A held body piece; the exchange keeps ownership. */
  void feed(HttpContent content) {
    estimate.feed(content.content());
  }

  /** Whether enough of the body has been held to estimate. */
  boolean prefixSatisfied(boolean requestComplete) {
    return estimate.satisfied(requestComplete);
  }

  /**
   * Runs the rate limits and the concurrency limit. Ends in exactly one of {@code exchange.onAdmitted()},
   * {@code exchange.onRejected(..)}, or a wait whose outcome calls one of them later.
   */
  void decide(long contentLength) {
    meter.requestBytes(contentLength);
    if (exchange.overrides().atTheDoor() && operatorTurnsAway()) {
      return;
    }
    if (route != null) {
      decision = route.limiter().acquire(tenant, estimate == null ? 0 : estimate.estimate(contentLength));
      if (!decision.admitted()) {
        exchange.onRejected(rejection(decision.reason(), decision.retryAfterNanos(), decision.retryPointless()));
        return;
      }
      reservation = decision.reservation();
    }
    slot.acquire(tenant, request.headers(), contentLength);
  }

  @Override
  public void admitted() {
    exchange.onAdmitted();
  }

  @Override
  public void turnedAway(ShedReason reason, long retryAfterNanos) {
    reservation.release();
    exchange.onRejected(rejection(reason, retryAfterNanos, false));
  }

  /** An operator's shedding or maintenance ({@link dev.spillway.core.incident.IncidentOverrides}) answers the request, or lets it on. */
  private boolean operatorTurnsAway() {
    ShedReason reason = exchange.overrides().turnAway(exchange.routeName(), tenant);
    FullHttpResponse answer = reason != ShedReason.MAINTENANCE ? null : answers.maintenance();
    if (reason == null || (reason == ShedReason.MAINTENANCE && answer == null)) {
      return false;
    }
    finished = true;
    shedReason = reason;
    streamFlag = null;
    exchange.onRejected(answer != null ? answer : rejection(reason, 0, false));
    return true;
  }

  /** Lets the next attempt into tier {@code tierIndex} under the tier's own permit ({@link TierPermits#enter}). */
  boolean enterTier(int tierIndex, Route.Tier tier) {
    return !finished && slot.enterTier(tierIndex, tier);
  }

  /** An attempt ended with {@code outcome} and another may follow (its tier's permit remembers it). */
  void attemptEnded(AttemptOutcome outcome) {
    slot.attemptEnded(outcome);
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
    return slot.overflowFrom();
  }

  FullHttpResponse unknownKeyResponse() {
    finished = true;
    shedReason = ShedReason.UNKNOWN_KEY;
    return answers.unknownKey();
  }

  private FullHttpResponse rejection(ShedReason reason, long retryAfterNanos, boolean retryPointless) {
    finished = true;
    // No permit will be told anything: the rest of the body need not be read for its kind.
    streamFlag = null;
    shedReason = reason;
    return answers.rejection(reason, decision, retryAfterNanos, retryPointless);
  }

  /** Whether the held body should be rewritten to ask the backend for a final usage chunk. */
  boolean wantsUsageInjection() {
    return estimate != null && estimate.wantsUsage();
  }

  /** Whether the rewrite happened; only then is the extra usage chunk removed from the stream. */
  void usageInjected(boolean done) {
    estimate.usageInjected(done);
  }

  /** Marks the moment the request head went to the backend (start of the latency sample). */
  void requestSent(long nowNanos) {
    meter.requestSent(nowNanos);
  }

  /** Adds rate-limit headers to any answer from a limited route, and prepares usage tracking. */
  void onResponseHead(HttpHeaders headers, boolean eventStream, long nowNanos) {
    // The answer began: a permit is told the request's kind only before that, and the rest of the body need
    // not be read for it.
    streamFlag = null;
    decorate(headers);
    meter.start(eventStream, estimate != null, wantsUsageInjection());
  }

  /** Adds the rate-limit headers (for gateway error answers on a limited route too). */
  void decorate(HttpHeaders headers) {
    if (decision != null && !decision.status().isEmpty()) {
      RateLimitHeaders.apply(headers, decision.status());
    }
  }

  /** Passes a response piece through usage tracking; may return a different message (owning the buffer). */
  HttpContent filter(HttpContent content) {
    return meter.filter(content);
  }

  /** The backend's response ended cleanly with {@code status}. */
  void complete(int status, long nowNanos) {
    if (finished) {
      return;
    }
    finished = true;
    settleFromResponse();
    slot.complete(AttemptOutcome.ofStatus(status), meter.latencySample(nowNanos));
    meter.close();
  }

  /**
   * The exchange ended without a clean response.
   *
   * @param reachedBackend whether the request was (at least partly) sent to a backend
   * @param outcome how the attempt in flight ended ({@link AttemptOutcome#CANCELLED} when none was): the
   *     permit is completed from it, never with a latency sample
   */
  void abandon(boolean reachedBackend, AttemptOutcome outcome) {
    slot.leaveRoom();
    if (finished) {
      meter.close();
      return;
    }
    finished = true;
    if (!reachedBackend) {
      reservation.release();
    } else {
      settleFromResponse();
    }
    slot.abandon(outcome);
    meter.close();
  }

  /** Settles the reservation from {@code usage}, else from what was streamed, else as reserved. */
  private void settleFromResponse() {
    reservation.settle(meter.tokensUsed(promptEstimate(), reservation.reservedTokens()));
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
    return meter.promptTokens(promptEstimate());
  }

  private long promptEstimate() {
    return estimate == null ? 0 : estimate.promptTokens();
  }

  /** Completion tokens from {@code usage}, else counted from the stream, else 0. */
  long completionTokens() {
    return meter.completionTokens();
  }

  /** Time in the waiting room, or -1 when the request never asked the backend for a slot. */
  long queueWaitNanos() {
    return slot.queueWaitNanos();
  }

  boolean shadowRejected() {
    return decision != null && decision.shadowRejected();
  }
}
