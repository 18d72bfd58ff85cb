package dev.spillway.core.proxy;

import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.attempt.AttemptOutcome;
import dev.spillway.core.http.PeerAddresses;
import dev.spillway.core.http.RequestFraming;
import dev.spillway.core.routing.Route;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Admission as one exchange sees it: the {@link AdmissionGate} when the route, a tier's backend or the
 * operator's door check limits the request, or nothing at all, so that the exchange never asks which. Every
 * call on a request without admission is a no-op (or admits); with admission, the gate completes its permit
 * and reservation exactly once.
 */
final class ExchangeAdmission {
  /** Before the request is routed, and on routes where nothing limits it. */
  static final ExchangeAdmission NONE = new ExchangeAdmission(null);

  /** The gate, or {@code null} when nothing limits the request. */
  private final AdmissionGate gate;

  private ExchangeAdmission(AdmissionGate gate) {
    this.gate = gate;
  }

  /**
   * Admission for {@code route}: none when neither the route nor any tier's backend has limits and the
   * operator checks nobody at the door.
   */
  static ExchangeAdmission of(ProxyExchange exchange, Route route, ChannelHandlerContext ctx, HttpRequest request,
      ProxyContext shared) {
    if (route.admission() == null && !anyTierLimited(route) && !shared.overrides().atTheDoor()) {
      return NONE;
    }
    return new ExchangeAdmission(new AdmissionGate(exchange, route.admission(), route.tiers(), ctx.executor(),
        request, shared.defaultRejections()));
  }

  /** Whether a tier's backend has a concurrency limit; a plain loop, as it runs for every request. */
  private static boolean anyTierLimited(Route route) {
    for (Route.Tier tier : route.tiers()) {
      if (tier.backend().admission() != null) {
        return true;
      }
    }
    return false;
  }

  /** Whether anything limits the request (otherwise it is admitted at once). */
  boolean applies() {
    return gate != null;
  }

  /**
   * Identifies the tenant; returns the {@code 401} answer when the route refuses the key, else {@code null}.
   */
  FullHttpResponse begin(ChannelHandlerContext ctx, long bodyLength) {
    if (gate.begin(PeerAddresses.address(ctx.channel()), bodyLength != RequestFraming.NO_BODY)) {
      return null;
    }
    return gate.unknownKeyResponse();
  }

  /**
   * What reads each body piece the exchange takes, to tell the request's permits whether it asks for a
   * streamed answer ({@link AdmissionGate#bodyWatcher}); {@code null} when nothing needs to know.
   */
  RequestUpload.Watcher bodyWatcher() {
    return gate == null ? null : gate.bodyWatcher();
  }

  /** Whether admission must see a prefix of the body before it can decide. */
  boolean needsPrefix() {
    return gate.needsPrefix();
  }

  /** A held body piece for the token estimate (the exchange keeps it); returns whether enough was seen. */
  boolean feedPrefix(HttpContent content, boolean requestComplete) {
    gate.feed(content);
    return gate.prefixSatisfied(requestComplete);
  }

  /** Decides: ends in the exchange's {@code onAdmitted} or {@code onRejected}, now or after a wait. */
  void decide(long bodyLength) {
    gate.decide(bodyLength);
  }

  /** Rewrites a complete held body to ask for a final usage chunk, when the token accounting wants it. */
  void injectUsage(RequestUpload upload, ChannelHandlerContext ctx, HttpHeaders headers) {
    if (gate != null && gate.wantsUsageInjection()) {
      gate.usageInjected(upload.injectIncludeUsage(ctx.alloc(), headers));
    }
  }

  /** Whether the next attempt may go to tier {@code tierIndex}: under its own permit, if it has a limit. */
  boolean enterTier(int tierIndex, Route.Tier tier) {
    return gate == null || gate.enterTier(tierIndex, tier);
  }

  /** An attempt ended with {@code outcome}; another may follow. */
  void attemptEnded(AttemptOutcome outcome) {
    if (gate != null) {
      gate.attemptEnded(outcome);
    }
  }

  /** The at-capacity answer when every tier that could serve the request is at its limit. */
  FullHttpResponse everyTierFull(boolean reachedBackend) {
    return gate.everyTierFull(reachedBackend);
  }

  /** Marks the moment the request head went to a backend (start of the latency sample). */
  void requestSent(long nowNanos) {
    if (gate != null) {
      gate.requestSent(nowNanos);
    }
  }

  /** The response ended cleanly with {@code status}. */
  void complete(int status, long nowNanos) {
    if (gate != null) {
      gate.complete(status, nowNanos);
    }
  }

  /**
   * The exchange ended without a clean response; {@code errorHeaders}, if given, get the rate-limit headers.
   *
   * @param reachedBackend whether the request was (at least partly) sent to a backend
   */
  void abandon(boolean reachedBackend, AttemptOutcome outcome, HttpHeaders errorHeaders) {
    if (gate != null) {
      gate.abandon(reachedBackend, outcome);
      if (errorHeaders != null) {
        gate.decorate(errorHeaders);
      }
    }
  }

  /** Why admission shed the request, or {@code null}. */
  ShedReason shedReason() {
    return gate != null ? gate.shedReason() : null;
  }

  /** The gate for the response relay and the record, or {@code null}. */
  AdmissionGate gate() {
    return gate;
  }
}
