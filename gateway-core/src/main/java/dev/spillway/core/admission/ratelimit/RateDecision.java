package dev.spillway.core.admission.ratelimit;

import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.admission.ratelimit.RateLimitStatus.Policy;
import dev.spillway.core.admission.ratelimit.RateLimitStatus.UnitStatus;
import dev.spillway.core.config.LimitUnit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The outcome of {@link RouteRateLimiter#acquire}: admitted (holding a {@link TokenReservation} to settle), or
 * rejected with a reason and a wait. A rejected request took nothing from any bucket.
 *
 * <p>{@link #status} describes the enforced limits only: shadow-mode limits are an operator's experiment and
 * are not advertised to clients (see {@link RateLimitStats} for them).
 */
public final class RateDecision {
  /** Waits longer than this make a retry pointless: SDKs give up on such a {@code Retry-After} anyway. */
  public static final long RETRY_POINTLESS_NANOS = Duration.ofSeconds(60).toNanos();
  /** The wait of a request that can never be admitted (its estimate exceeds a bucket's capacity). */
  public static final long NEVER = Long.MAX_VALUE;

  static final RateDecision UNLIMITED = new RateDecision(null, 0, false, TokenReservation.NONE, null, null,
      null, null);

  /**
   * A request larger than an enforced limit can ever grant: its cost and that limit's capacity, so the answer
   * can say both (as OpenAI's "Limit 30000, Requested 31538" does).
   */
  public record Oversize(LimitUnit unit, long capacity, long requested) {}

  /** Set on a {@link #NEVER} rejection, {@code null} otherwise. */
  private final Oversize oversize;

  private final ShedReason reason;
  private final long retryAfterNanos;
  private final boolean shadowRejected;
  private final TokenReservation reservation;
  private final LimitSet tierLimits;
  private final LimitSet routeLimits;
  private final long[] remaining;
  private final long[] reset;
  /** Built on first use; a racing second build yields an equal value, so no synchronization is needed. */
  private RateLimitStatus status;

  RateDecision(ShedReason reason, long retryAfterNanos, boolean shadowRejected, TokenReservation reservation,
      LimitSet tierLimits, LimitSet routeLimits, long[] remaining, long[] reset) {
    this(reason, retryAfterNanos, shadowRejected, reservation, tierLimits, routeLimits, remaining, reset, null);
  }

  RateDecision(ShedReason reason, long retryAfterNanos, boolean shadowRejected, TokenReservation reservation,
      LimitSet tierLimits, LimitSet routeLimits, long[] remaining, long[] reset, Oversize oversize) {
    this.oversize = oversize;
    this.reason = reason;
    this.retryAfterNanos = retryAfterNanos;
    this.shadowRejected = shadowRejected;
    this.reservation = reservation;
    this.tierLimits = tierLimits;
    this.routeLimits = routeLimits;
    this.remaining = remaining;
    this.reset = reset;
  }

  public boolean admitted() {
    return reason == null;
  }

  /** {@link ShedReason#RATE_LIMITED_REQUESTS} or {@link ShedReason#RATE_LIMITED_TOKENS}; {@code null} if admitted. */
  public ShedReason reason() {
    return reason;
  }

  /**
   * How long until every rejecting limit could admit this request (the longest of their waits); 0 when
   * admitted, {@link #NEVER} when no wait would do.
   */
  public long retryAfterNanos() {
    return retryAfterNanos;
  }

  /** The wait exceeds {@link #RETRY_POINTLESS_NANOS}: tell clients not to retry ({@code x-should-retry: false}). */
  public boolean retryPointless() {
    return reason != null && retryAfterNanos > RETRY_POINTLESS_NANOS;
  }

  /** What made this request impossible to admit, when {@link #retryAfterNanos} is {@link #NEVER}; else {@code null}. */
  public Oversize oversize() {
    return oversize;
  }

  /** A shadow-mode limit would have rejected this request; it was admitted regardless. */
  public boolean shadowRejected() {
    return shadowRejected;
  }

  /** The tokens held for this request; {@link TokenReservation#NONE} when rejected or no token limit applies. */
  public TokenReservation reservation() {
    return reservation;
  }

  /** The route's enforced limits for this tenant, as they stand after this decision. */
  public RateLimitStatus status() {
    RateLimitStatus s = status;
    if (s == null) {
      s = remaining == null ? RateLimitStatus.NONE : buildStatus();
      status = s;
    }
    return s;
  }

  private RateLimitStatus buildStatus() {
    int tierCount = tierLimits.size();
    List<Policy> policies = new ArrayList<>(remaining.length);
    Policy requests = null;
    Policy tokens = null;
    for (int i = 0; i < remaining.length; i++) {
      Limit limit = i < tierCount ? tierLimits.limit(i) : routeLimits.limit(i - tierCount);
      if (!limit.enforce) {
        continue;
      }
      Policy p = new Policy(limit.name, limit.unit, limit.quota, limit.windowSeconds, remaining[i], reset[i]);
      policies.add(p);
      if (limit.unit == LimitUnit.REQUESTS) {
        requests = tighter(requests, p);
      } else {
        tokens = tighter(tokens, p);
      }
    }
    return new RateLimitStatus(unit(requests), unit(tokens), policies);
  }

  /** The more constraining: less remaining, then the longer reset. */
  private static Policy tighter(Policy current, Policy candidate) {
    if (current == null || candidate.remaining() < current.remaining()
        || (candidate.remaining() == current.remaining() && candidate.resetNanos() > current.resetNanos())) {
      return candidate;
    }
    return current;
  }

  private static UnitStatus unit(Policy p) {
    return p == null ? null : new UnitStatus(p.quota(), p.remaining(), p.resetNanos());
  }

  @Override
  public String toString() {
    return admitted()
        ? "RateDecision(admitted" + (shadowRejected ? ", shadowRejected" : "") + ", " + reservation + ")"
        : "RateDecision(" + reason + ", retryAfterNanos=" + retryAfterNanos + ")";
  }
}
