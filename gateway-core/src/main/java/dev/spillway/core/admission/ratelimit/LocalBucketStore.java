package dev.spillway.core.admission.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.spillway.core.config.LimiterCacheConfig;
import dev.spillway.core.time.Ticker;
import dev.spillway.core.time.Tickers;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketState;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.VerboseResult;
import io.github.bucket4j.local.LocalBucketBuilder;
import io.github.bucket4j.local.SynchronizationStrategy;
import java.time.Duration;

/**
 * Buckets in this process's memory. Tenants' buckets sit in a bounded Caffeine cache ({@code maxTenants},
 * dropped after {@code idleExpiry} unused). Configured tenants' buckets sit in a cache of their own, bounded by
 * the configuration itself (only expiry removes them): a flood of client addresses cannot evict them.
 *
 * <p>Eviction must not be a way out of a limit: a tenant pushed out for size while its buckets are drawn down
 * (or in debt) would otherwise come back to full buckets. So evicted buckets that are not yet full move to a
 * second bounded cache whose entries expire exactly when the buckets would have refilled, and a returning
 * tenant gets them back. Once they expire, new full buckets are what the old ones would have become anyway.
 *
 * <p>Bucket4j compares times with {@code <=}, which breaks when {@code nanoTime} wraps; buckets therefore see
 * time relative to this store's creation, which will not wrap for centuries.
 */
public final class LocalBucketStore implements BucketStore {
  private final TimeMeter timeMeter;
  private final RateLimitStats stats;
  private final Cache<String, Tagged> buckets;
  private final Cache<String, Tagged> knownBuckets;
  private final Cache<String, Stash> evicted;

  public LocalBucketStore(LimiterCacheConfig config, Ticker ticker, RateLimitStats stats) {
    this.stats = stats;
    long origin = ticker.nanoTime();
    timeMeter = Tickers.timeMeter(() -> ticker.nanoTime() - origin);
    evicted = Caffeine.newBuilder()
        .maximumSize(config.maxTenants())
        .expireAfter(Expiry.<String, Stash>creating((key, stash) -> Duration.ofNanos(stash.refillNanos)))
        .ticker(Tickers.caffeine(ticker))
        .executor(Runnable::run)
        .build();
    buckets = Caffeine.newBuilder()
        .maximumSize(config.maxTenants())
        .expireAfterAccess(config.idleExpiry())
        .ticker(Tickers.caffeine(ticker))
        // Maintenance on the calling thread: evictions happen at predictable points (and in tests, at once).
        .executor(Runnable::run)
        // Runs inside the eviction, so the tenant cannot be looked up between leaving one cache and entering
        // the other.
        .evictionListener(this::onEviction)
        .build();
    knownBuckets = Caffeine.newBuilder()
        .expireAfterAccess(config.idleExpiry())
        .ticker(Tickers.caffeine(ticker))
        .executor(Runnable::run)
        .evictionListener(this::onEviction)
        .build();
  }

  @Override
  public Bucket[] tenantBuckets(String tenantKey, LimitSet limits) {
    return lookup(buckets, tenantKey, limits);
  }

  @Override
  public Bucket[] knownTenantBuckets(String tenantKey, LimitSet limits) {
    return lookup(knownBuckets, tenantKey, limits);
  }

  /**
   * The tenant's buckets for {@code limits}. Buckets made for another {@link LimitSet} (an earlier config, or
   * the tenant's earlier tier) are carried over by limit name on first use after a reload, keeping their level
   * ({@link BucketCarryOver}); so a reload costs nothing per tenant up front.
   */
  private Bucket[] lookup(Cache<String, Tagged> cache, String tenantKey, LimitSet limits) {
    Tagged found = cache.getIfPresent(tenantKey);
    if (found != null && found.limits == limits) {
      return found.buckets;
    }
    return cache.asMap().compute(tenantKey, (key, current) -> {
      if (current == null) {
        return restoreOrCreate(key, limits);
      }
      return current.limits == limits ? current : carryOver(current, limits);
    }).buckets;
  }

  @Override
  public Bucket[] sharedBuckets(LimitSet limits) {
    return create(limits);
  }

  /** Whether the tenant's buckets are in a main cache (not stashed, not gone). */
  boolean isResident(String tenantKey) {
    return buckets.asMap().containsKey(tenantKey) || knownBuckets.asMap().containsKey(tenantKey);
  }

  /** Runs pending evictions and expirations now. */
  void cleanUp() {
    buckets.cleanUp();
    knownBuckets.cleanUp();
    evicted.cleanUp();
  }

  private Tagged restoreOrCreate(String key, LimitSet limits) {
    Stash stash = evicted.asMap().remove(key);
    if (stash != null) {
      return stash.buckets.limits == limits ? stash.buckets : carryOver(stash.buckets, limits);
    }
    return new Tagged(limits, create(limits));
  }

  private Tagged carryOver(Tagged from, LimitSet limits) {
    return new Tagged(limits, BucketCarryOver.carryOver(from.limits, from.buckets, limits,
        i -> create(limits.configuration(i))));
  }

  private Bucket[] create(LimitSet limits) {
    Bucket[] out = new Bucket[limits.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = create(limits.configuration(i));
    }
    return out;
  }

  private Bucket create(io.github.bucket4j.BucketConfiguration configuration) {
    LocalBucketBuilder builder = Bucket.builder()
        .withCustomTimePrecision(timeMeter)
        // A tenant's bucket is rarely contended; a short lock beats lock-free CAS, which copies the state
        // on every attempt.
        .withSynchronizationStrategy(SynchronizationStrategy.SYNCHRONIZED);
    for (Bandwidth bandwidth : configuration.getBandwidths()) {
      builder.addLimit(bandwidth);
    }
    return builder.build();
  }

  private void onEviction(String key, Tagged value, RemovalCause cause) {
    stats.recordEviction();
    if (key == null || value == null) {
      return;
    }
    long refill = nanosUntilFull(value.buckets);
    if (refill > 0) {
      evicted.put(key, new Stash(value, refill));
    }
  }

  private static long nanosUntilFull(Bucket[] value) {
    long max = 0;
    for (Bucket bucket : value) {
      VerboseResult<Long> result = bucket.asVerbose().getAvailableTokens();
      BucketState state = result.getState();
      max = Math.max(max, state.calculateFullRefillingTime(result.getOperationTimeNanos()));
    }
    return max;
  }

  /** Buckets evicted while drawn down, kept until they would have been full again. */
  private record Stash(Tagged buckets, long refillNanos) {}

  /** A tenant's buckets with the limits they were made (or last reconfigured) for. */
  private record Tagged(LimitSet limits, Bucket[] buckets) {}
}
