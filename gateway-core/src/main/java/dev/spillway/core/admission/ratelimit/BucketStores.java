package dev.spillway.core.admission.ratelimit;

import dev.spillway.core.config.LimiterCacheConfig;
import dev.spillway.core.time.Ticker;

/**
 * Makes each route's {@link BucketStore}. One per gateway process: a shared store (Redis) holds its connection
 * here, and {@link #close} releases it when the gateway stops.
 */
public interface BucketStores extends AutoCloseable {
  /** Every route keeps its buckets in this process. */
  BucketStores LOCAL = new BucketStores() {
    @Override
    public BucketStore forRoute(String route, LimiterCacheConfig cache, Ticker ticker, RateLimitStats stats) {
      return new LocalBucketStore(cache, ticker, stats);
    }

    @Override
    public void close() {}
  };

  /** The store of route {@code route}'s buckets (its tenants' and its shared ones). */
  BucketStore forRoute(String route, LimiterCacheConfig cache, Ticker ticker, RateLimitStats stats);

  @Override
  void close();
}
