package dev.spillway.core.admission.ratelimit;

import io.github.bucket4j.Bucket;

/**
 * Where a route's buckets live. {@link LocalBucketStore} keeps them in this process; a distributed store
 * (Bucket4j proxies over Redis) can take its place without the limiter changing, since both hand out
 * Bucket4j {@link Bucket}s.
 *
 * <p>Returned arrays hold one bucket per limit of the given {@link LimitSet}, in its order, and belong to the
 * store: callers read them and never modify them. Implementations are thread-safe.
 */
public interface BucketStore {

  /** The buckets of one tenant, created full on first use (or restored, if they were evicted while drawn). */
  Bucket[] tenantBuckets(String tenantKey, LimitSet limits);

  /**
   * The buckets of a configured tenant. Stores keep these apart from everyone else's, so that callers the
   * gateway does not know (client addresses, unknown keys) can never push them out, however many there are.
   */
  default Bucket[] knownTenantBuckets(String tenantKey, LimitSet limits) {
    return tenantBuckets(tenantKey, limits);
  }

  /** Buckets shared by every tenant of the route; asked once, when the limiter is built. */
  Bucket[] sharedBuckets(LimitSet limits);
}
