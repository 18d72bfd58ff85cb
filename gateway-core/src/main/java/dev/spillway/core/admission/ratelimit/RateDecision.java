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
   * What the limiter read from each limit's bucket, by limit index (tier limits, then route limits).
   *
   * @param remaining tokens left in the limit's reported bandwidth
   * @param reset time until that bandwidth is full, or, for a limit that refused the request, until it fits
   * @param band the reported bandwidth: the most constraining one, or the one that refused the request
   * @param denied the index of the limit whose refusal set the decision's wait, or -1 when admitted
   */
  record Readings(long[] remaining, long[] reset, int[] band, int denied) {}

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
  private final Readings readings;
  /** Built on first use; a racing second build yields an equal value, so no synchronization is needed. */
  private RateLimitStatus status;

  RateDecision(ShedReason reason, long retryAfterNanos, boolean shadowRejected, TokenReservation reservation,
      LimitSet tierLimits, LimitSet routeLimits, Readings readings, Oversize oversize) {
    this.oversize = oversize;
    this.reason = reason;
    this.retryAfterNanos = retryAfterNanos;
    this.shadowRejected = shadowRejected;
    this.reservation = reservation;
    this.tierLimits = tierLimits;
    this.routeLimits = routeLimits;
    this.readings = readings;
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
      s = readings == null ? RateLimitStatus.NONE : buildStatus();
      status = s;
    }
    return s;
  }

  /**
   * One bandwidth per limit supplies its quota, window, remaining and reset; the policy of the limit that
   * refused the request (else the one with the least remaining relative to its quota) is the headline, and
   * each unit's headline follows the same rule within the unit.
   */
  private RateLimitStatus buildStatus() {
    int tierCount = tierLimits.size();
    long[] remaining = readings.remaining();
    List<Policy> policies = new ArrayList<>(remaining.length);
    Policy requests = null;
    Policy tokens = null;
    Policy binding = null;
    Policy denying = null;
    for (int i = 0; i < remaining.length; i++) {
      Limit limit = i < tierCount ? tierLimits.limit(i) : routeLimits.limit(i - tierCount);
      if (!limit.enforce) {
        continue;
      }
      int b = readings.band()[i];
      Policy p = new Policy(limit.name, limit.unit, limit.capacities[b], limit.periodSeconds[b], remaining[i],
          readings.reset()[i]);
      policies.add(p);
      if (i == readings.denied()) {
        denying = p;
      }
      binding = tighter(binding, p);
      if (limit.unit == LimitUnit.REQUESTS) {
        requests = i == readings.denied() ? p : tighterUnless(requests, p, denying);
      } else {
        tokens = i == readings.denied() ? p : tighterUnless(tokens, p, denying);
      }
    }
    return new RateLimitStatus(unit(requests), unit(tokens), policies, denying != null ? denying : binding);
  }

  /** {@link #tighter}, except that the denying policy, once chosen, stays. */
  private static Policy tighterUnless(Policy current, Policy candidate, Policy denying) {
    return current != null && current == denying ? current : tighter(current, candidate);
  }

  /** The more constraining: less remaining relative to its quota, then the longer reset. */
  private static Policy tighter(Policy current, Policy candidate) {
    if (current == null) {
      return candidate;
    }
    int c = Double.compare((double) candidate.remaining() / Math.max(1, candidate.quota()),
        (double) current.remaining() / Math.max(1, current.quota()));
    return c < 0 || (c == 0 && candidate.resetNanos() > current.resetNanos()) ? candidate : current;
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
