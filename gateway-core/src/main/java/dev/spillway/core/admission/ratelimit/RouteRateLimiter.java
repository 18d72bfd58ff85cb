package dev.spillway.core.admission.ratelimit;

import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.admission.Tenant;
import dev.spillway.core.config.AdmissionConfig;
import dev.spillway.core.config.ConfigException;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.config.LimitUnit;
import dev.spillway.core.config.TierConfig;
import dev.spillway.core.time.Ticker;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.VerboseResult;
import java.util.HashMap;
import java.util.Map;

/**
 * The rate limits of one route: each tenant's own buckets for its tier's limits, then the route's buckets shared
 * by all tenants. A request must fit every enforced limit; requests cost 1 against request limits and their
 * token estimate against token limits.
 *
 * <p>Atomic in effect: limits are taken one by one with {@code tryConsume} (never check-then-consume, so
 * concurrent requests cannot overdraw a bucket), and when one rejects, what the earlier ones took is given
 * back. Tenant limits go first, so a tenant over its own limit is turned away without touching the shared
 * buckets. Token limits are only reserved: the admitted request's {@link RateDecision#reservation()} must be
 * settled with the actual usage, or released.
 *
 * <p>Thread-safe; one per route, built again on a config reload.
 */
public final class RouteRateLimiter {
  /** Limits of a tier and a route together are tracked in one {@code long} bit mask. */
  static final int MAX_LIMITS = 64;
  private static final Bucket[] NO_BUCKETS = new Bucket[0];

  private final Map<String, LimitSet> tierLimits;
  private final LimitSet routeLimits;
  private final Bucket[] routeBuckets;
  private final BucketStore store;
  private final RateLimitStats stats;

  /**
   * @param admission the route's admission settings (its shared {@code limits})
   * @param tiers every tier a tenant of this route may be in, by name
   * @param store where buckets live
   * @param stats this route's counters (the store's evictions go there too)
   */
  public RouteRateLimiter(AdmissionConfig admission, Map<String, TierConfig> tiers, BucketStore store,
      RateLimitStats stats) {
    this.store = store;
    this.stats = stats;
    routeLimits = new LimitSet("route", admission.limits(), stats);
    routeBuckets = routeLimits.isEmpty() ? NO_BUCKETS : store.sharedBuckets(routeLimits);
    tierLimits = new HashMap<>();
    for (TierConfig tier : tiers.values()) {
      int total = tier.limits().size() + routeLimits.size();
      if (total > MAX_LIMITS) {
        throw new ConfigException("tiers." + tier.name() + ".limits", total
            + " limits with the route's (expected: at most " + MAX_LIMITS + ")");
      }
      tierLimits.put(tier.name(), new LimitSet(tier.name(), tier.limits(), stats));
    }
  }

  /** A limiter keeping its buckets in this process, under {@code config}'s tiers and limiter cache settings. */
  public static RouteRateLimiter local(AdmissionConfig admission, GatewayConfig config, Ticker ticker) {
    RateLimitStats stats = new RateLimitStats();
    return new RouteRateLimiter(admission, config.tiers(),
        new LocalBucketStore(config.limiterCache(), ticker, stats), stats);
  }

  /** A limiter of route {@code route} keeping its buckets where {@code stores} says. */
  public static RouteRateLimiter of(String route, AdmissionConfig admission, GatewayConfig config,
      BucketStores stores, Ticker ticker) {
    RateLimitStats stats = new RateLimitStats();
    return new RouteRateLimiter(admission, config.tiers(),
        stores.forRoute(route, config.limiterCache(), ticker, stats), stats);
  }

  public RateLimitStats stats() {
    return stats;
  }

  /**
   * Takes one request's cost from every limit that applies to {@code tenant}, or nothing at all.
   *
   * @param estimatedTokens the request's token estimate (prompt plus completion budget); at least 1 is charged
   *     against token limits
   */
  public RateDecision acquire(Tenant tenant, long estimatedTokens) {
    LimitSet tierSet = tierLimits.get(tenant.tier().name());
    if (tierSet == null) {
      throw new IllegalArgumentException("tier: " + tenant.tier().name()
          + " (expected: a tier this limiter was built with)");
    }
    int tierCount = tierSet.size();
    int n = tierCount + routeLimits.size();
    if (n == 0) {
      return RateDecision.UNLIMITED;
    }
    Bucket[] tenantBuckets = tierCount == 0 ? NO_BUCKETS : tenant.known()
        ? store.knownTenantBuckets(tenant.key(), tierSet) : store.tenantBuckets(tenant.key(), tierSet);
    long tokenCost = Math.max(1, estimatedTokens);
    long[] remaining = new long[n];
    long[] reset = new long[n];
    long consumed = 0;
    int tokenBuckets = 0;
    boolean shadow = false;
    ShedReason reason = null;
    RateDecision.Oversize oversize = null;
    long wait = 0;
    for (int i = 0; i < n; i++) {
      Limit limit = i < tierCount ? tierSet.limit(i) : routeLimits.limit(i - tierCount);
      Bucket bucket = i < tierCount ? tenantBuckets[i] : routeBuckets[i - tierCount];
      long cost = limit.cost(tokenCost);
      long limitWait;
      if (reason != null || cost > limit.minCapacity) {
        // Already rejected (or can never fit): look without taking, for the wait and the status.
        limitWait = peek(bucket, limit, cost, remaining, reset, i);
      } else {
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(cost);
        remaining[i] = Math.max(0, probe.getRemainingTokens());
        reset[i] = probe.getNanosToWaitForReset();
        if (probe.isConsumed()) {
          consumed |= 1L << i;
          if (limit.unit == LimitUnit.TOKENS) {
            tokenBuckets++;
          }
          continue;
        }
        limitWait = Math.max(1, probe.getNanosToWaitForRefill());
      }
      if (limitWait == 0) {
        continue;
      }
      if (limit.enforce) {
        if (limitWait == RateDecision.NEVER && oversize == null) {
          oversize = new RateDecision.Oversize(limit.unit, limit.minCapacity, cost);
        }
        limit.rejected.increment();
        if (reason == null || limitWait > wait) {
          reason = limit.unit == LimitUnit.TOKENS ? ShedReason.RATE_LIMITED_TOKENS : ShedReason.RATE_LIMITED_REQUESTS;
          wait = limitWait;
        }
      } else if (reason == null) {
        shadow = true;
        limit.shadowRejected.increment();
      }
    }
    if (reason != null) {
      refund(tierSet, tenantBuckets, consumed, tokenCost, remaining);
      stats.recordRejected();
      return new RateDecision(reason, wait, shadow, TokenReservation.NONE, tierSet, routeLimits, remaining, reset,
          wait == RateDecision.NEVER ? oversize : null);
    }
    stats.recordAdmitted(shadow);
    TokenReservation reservation = tokenBuckets == 0 ? TokenReservation.NONE
        : new Reservation(tokenBucketsTaken(tierSet, tenantBuckets, consumed, tokenBuckets), tokenCost);
    return new RateDecision(null, 0, shadow, reservation, tierSet, routeLimits, remaining, reset);
  }

  /** The wait before {@code bucket} could take {@code cost} (0 if it could now), taking nothing. */
  private static long peek(Bucket bucket, Limit limit, long cost, long[] remaining, long[] reset, int i) {
    VerboseResult<EstimationProbe> result = bucket.asVerbose().estimateAbilityToConsume(Math.min(cost,
        limit.minCapacity));
    EstimationProbe probe = result.getValue();
    remaining[i] = Math.max(0, probe.getRemainingTokens());
    reset[i] = result.getState().calculateFullRefillingTime(result.getOperationTimeNanos());
    if (cost > limit.minCapacity) {
      return RateDecision.NEVER;
    }
    return probe.canBeConsumed() ? 0 : Math.max(1, probe.getNanosToWaitForRefill());
  }

  private void refund(LimitSet tierSet, Bucket[] tenantBuckets, long consumed, long tokenCost, long[] remaining) {
    int tierCount = tierSet.size();
    for (long mask = consumed; mask != 0; mask &= mask - 1) {
      int i = Long.numberOfTrailingZeros(mask);
      Limit limit = i < tierCount ? tierSet.limit(i) : routeLimits.limit(i - tierCount);
      Bucket bucket = i < tierCount ? tenantBuckets[i] : routeBuckets[i - tierCount];
      long cost = limit.cost(tokenCost);
      bucket.addTokens(cost);
      remaining[i] = Math.min(limit.minCapacity, remaining[i] + cost);
    }
  }

  private Bucket[] tokenBucketsTaken(LimitSet tierSet, Bucket[] tenantBuckets, long consumed, int count) {
    int tierCount = tierSet.size();
    Bucket[] out = new Bucket[count];
    int k = 0;
    for (long mask = consumed; mask != 0; mask &= mask - 1) {
      int i = Long.numberOfTrailingZeros(mask);
      Limit limit = i < tierCount ? tierSet.limit(i) : routeLimits.limit(i - tierCount);
      if (limit.unit == LimitUnit.TOKENS) {
        out[k++] = i < tierCount ? tenantBuckets[i] : routeBuckets[i - tierCount];
      }
    }
    return out;
  }
}
