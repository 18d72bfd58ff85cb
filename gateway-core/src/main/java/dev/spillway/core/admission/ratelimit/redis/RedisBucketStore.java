package dev.spillway.core.admission.ratelimit.redis;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.spillway.core.admission.ratelimit.BucketStore;
import dev.spillway.core.admission.ratelimit.LimitSet;
import dev.spillway.core.admission.ratelimit.RateLimitStats;
import dev.spillway.core.config.LimiterCacheConfig;
import dev.spillway.core.time.Ticker;
import dev.spillway.core.time.Tickers;
import io.github.bucket4j.Bucket;
import java.nio.charset.StandardCharsets;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * One route's buckets in Redis, each seen through this instance's {@link LeasedBucket}. The leases sit in bounded
 * caches like {@code LocalBucketStore}'s buckets (configured tenants apart from everyone else); a lease dropped
 * from memory loses only its unspent tokens, since the bucket itself lives in Redis.
 *
 * <p>Redis keys: {@code spillway:rl:<route>:<scope>:<limit>:<tenant>} ({@code *} for a route's shared limits),
 * so every instance with the same configuration finds the same buckets.
 */
final class RedisBucketStore implements BucketStore {
  private final RedisLimiterStore store;
  private final String route;
  private final Cache<String, Bucket[]> buckets;
  private final Cache<String, Bucket[]> knownBuckets;
  /** The store's view of each limit set, computed once per set (sets live as long as the limiter). */
  private final Map<LimitSet, SharedLimit[]> limits = new IdentityHashMap<>();

  RedisBucketStore(RedisLimiterStore store, String route, LimiterCacheConfig config, Ticker ticker,
      RateLimitStats stats) {
    this.store = store;
    this.route = route;
    buckets = Caffeine.newBuilder()
        .maximumSize(config.maxTenants())
        .expireAfterAccess(config.idleExpiry())
        .ticker(Tickers.caffeine(ticker))
        .executor(Runnable::run)
        .evictionListener((k, v, cause) -> stats.recordEviction())
        .build();
    knownBuckets = Caffeine.newBuilder()
        .expireAfterAccess(config.idleExpiry())
        .ticker(Tickers.caffeine(ticker))
        .executor(Runnable::run)
        .evictionListener((k, v, cause) -> stats.recordEviction())
        .build();
  }

  @Override
  public Bucket[] tenantBuckets(String tenantKey, LimitSet limitSet) {
    Bucket[] found = buckets.getIfPresent(tenantKey);
    return found != null ? found : buckets.get(tenantKey, key -> create(key, limitSet));
  }

  @Override
  public Bucket[] knownTenantBuckets(String tenantKey, LimitSet limitSet) {
    Bucket[] found = knownBuckets.getIfPresent(tenantKey);
    return found != null ? found : knownBuckets.get(tenantKey, key -> create(key, limitSet));
  }

  @Override
  public Bucket[] sharedBuckets(LimitSet limitSet) {
    return create("*", limitSet);
  }

  private Bucket[] create(String tenant, LimitSet limitSet) {
    SharedLimit[] shared = sharedLimits(limitSet);
    Bucket[] out = new Bucket[shared.length];
    for (int i = 0; i < out.length; i++) {
      String key = "spillway:rl:" + route + ":" + limitSet.scope() + ":" + shared[i].name + ":" + tenant;
      out[i] = new LeasedBucket(store, shared[i], key.getBytes(StandardCharsets.UTF_8));
    }
    return out;
  }

  private synchronized SharedLimit[] sharedLimits(LimitSet limitSet) {
    return limits.computeIfAbsent(limitSet, set -> {
      SharedLimit[] out = new SharedLimit[set.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = new SharedLimit(set.config(i), set.configuration(i), store.config());
      }
      return out;
    });
  }
}
