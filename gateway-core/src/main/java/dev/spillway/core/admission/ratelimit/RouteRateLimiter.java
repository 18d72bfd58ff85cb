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
import io.github.bucket4j.BucketState;
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
 * <p>Thread-safe; one per route and config snapshot. A reload builds the next one with {@link #reconfigured},
 * which keeps the store, the counters and every bucket whose limit keeps its name.
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
    this(admission, tiers, store, stats, null, Runnable::run);
  }

  private RouteRateLimiter(AdmissionConfig admission, Map<String, TierConfig> tiers, BucketStore store,
      RateLimitStats stats, RouteRateLimiter previous, java.util.function.Consumer<Runnable> apply) {
    this.store = store;
    this.stats = stats;
    routeLimits = new LimitSet("route", admission.limits(), stats);
    Bucket[] fresh = routeLimits.isEmpty() ? NO_BUCKETS : store.sharedBuckets(routeLimits);
    routeBuckets = previous == null ? fresh
        : BucketCarryOver.carryOver(previous.routeLimits, previous.routeBuckets, routeLimits, i -> fresh[i], apply);
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

  /**
   * The limiter for the next config snapshot of the same route: the same store (so every tenant's buckets), the
   * same counters, and the route's shared buckets carried over by limit name. Tenants' buckets move to the new
   * limits on their next request ({@link BucketCarryOver}: the level is kept, never refilled).
   */
  public RouteRateLimiter reconfigured(AdmissionConfig admission, GatewayConfig config) {
    return reconfigured(admission, config, Runnable::run);
  }

  /**
   * As above, but the shared buckets' new settings are handed to {@code onCommit} instead of applied: a reload
   * builds the next limiter first and applies them only if the whole config could be built.
   */
  public RouteRateLimiter reconfigured(AdmissionConfig admission, GatewayConfig config,
      java.util.function.Consumer<Runnable> onCommit) {
    return new RouteRateLimiter(admission, config.tiers(), store, stats, this, onCommit);
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
    int[] band = new int[n];
    int denied = -1;
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
        limitWait = peek(bucket, limit, cost, remaining, reset, band, i);
      } else if (limit.capacities.length == 1) {
        // One bandwidth: the plain probe already holds its numbers, without the verbose state copy.
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(cost);
        remaining[i] = Math.max(0, probe.getRemainingTokens());
        if (probe.isConsumed()) {
          reset[i] = probe.getNanosToWaitForReset();
          consumed |= 1L << i;
          if (limit.unit == LimitUnit.TOKENS) {
            tokenBuckets++;
          }
          continue;
        }
        limitWait = Math.max(1, probe.getNanosToWaitForRefill());
        reset[i] = limitWait;
      } else {
        VerboseResult<ConsumptionProbe> result = bucket.asVerbose().tryConsumeAndReturnRemaining(cost);
        ConsumptionProbe probe = result.getValue();
        if (probe.isConsumed()) {
          describe(limit, result.getState(), remaining, reset, band, i);
          consumed |= 1L << i;
          if (limit.unit == LimitUnit.TOKENS) {
            tokenBuckets++;
          }
          continue;
        }
        limitWait = Math.max(1, probe.getNanosToWaitForRefill());
        describeDenial(limit, result.getState(), cost, limitWait, remaining, reset, band, i);
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
          denied = i;
        }
      } else if (reason == null) {
        shadow = true;
        limit.shadowRejected.increment();
      }
    }
    if (reason != null) {
      refund(tierSet, tenantBuckets, consumed, tokenCost, remaining, band);
      stats.recordRejected();
      return new RateDecision(reason, wait, shadow, TokenReservation.NONE, tierSet, routeLimits,
          new RateDecision.Readings(remaining, reset, band, denied), wait == RateDecision.NEVER ? oversize : null);
    }
    stats.recordAdmitted(shadow);
    TokenReservation reservation = tokenBuckets == 0 ? TokenReservation.NONE
        : new Reservation(tokenBucketsTaken(tierSet, tenantBuckets, consumed, tokenBuckets), tokenCost);
    return new RateDecision(null, 0, shadow, reservation, tierSet, routeLimits,
        new RateDecision.Readings(remaining, reset, band, -1), null);
  }

  /** The wait before {@code bucket} could take {@code cost} (0 if it could now), taking nothing. */
  private static long peek(Bucket bucket, Limit limit, long cost, long[] remaining, long[] reset, int[] band,
      int i) {
    VerboseResult<EstimationProbe> result = bucket.asVerbose().estimateAbilityToConsume(Math.min(cost,
        limit.minCapacity));
    EstimationProbe probe = result.getValue();
    if (cost > limit.minCapacity) {
      describe(limit, result.getState(), remaining, reset, band, i);
      return RateDecision.NEVER;
    }
    if (probe.canBeConsumed()) {
      describe(limit, result.getState(), remaining, reset, band, i);
      return 0;
    }
    long wait = Math.max(1, probe.getNanosToWaitForRefill());
    describeDenial(limit, result.getState(), cost, wait, remaining, reset, band, i);
    return wait;
  }

  /** Limit {@code i} as its most constraining bandwidth shows it: that bandwidth's remaining and reset. */
  private static void describe(Limit limit, BucketState state, long[] remaining, long[] reset, int[] band, int i) {
    int b = limit.bindingBandwidth(state);
    band[i] = b;
    remaining[i] = limit.remaining(state, b);
    reset[i] = limit.nanosUntilFull(state, b);
  }

  /**
   * Limit {@code i} refusing {@code cost}: the bandwidth that refuses it, and as its reset the wait until the
   * request fits ({@code Retry-After} then says the same).
   */
  private static void describeDenial(Limit limit, BucketState state, long cost, long wait, long[] remaining,
      long[] reset, int[] band, int i) {
    int b = limit.denyingBandwidth(state, cost);
    band[i] = b;
    remaining[i] = limit.remaining(state, b);
    reset[i] = wait;
  }

  private void refund(LimitSet tierSet, Bucket[] tenantBuckets, long consumed, long tokenCost, long[] remaining,
      int[] band) {
    int tierCount = tierSet.size();
    for (long mask = consumed; mask != 0; mask &= mask - 1) {
      int i = Long.numberOfTrailingZeros(mask);
      Limit limit = i < tierCount ? tierSet.limit(i) : routeLimits.limit(i - tierCount);
      Bucket bucket = i < tierCount ? tenantBuckets[i] : routeBuckets[i - tierCount];
      long cost = limit.cost(tokenCost);
      bucket.addTokens(cost);
      remaining[i] = Math.min(limit.capacities[band[i]], remaining[i] + cost);
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
