package dev.spillway.core.admission.ratelimit.redis;

import dev.spillway.core.config.FailurePolicy;
import dev.spillway.core.config.LimitConfig;
import dev.spillway.core.config.LimiterStoreConfig;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConfigurationBuilder;

/**
 * One configured limit as the Redis store uses it: the shared bucket's configuration, the size of a lease, the
 * failure policy and the local share enforced under {@link FailurePolicy#LOCAL}.
 */
final class SharedLimit {
  final String name;
  final BucketConfiguration configuration;
  /** The smallest capacity among the limit's bandwidths: the most the bucket ever holds. */
  final long capacity;
  /** Tokens taken from Redis at a time (and the most an instance may run ahead of Redis). */
  final long batch;
  /** A lease below this is topped up in the background. */
  final long lowWater;
  /** This instance's share of the capacity: capacity divided by the expected instances. */
  final long share;
  final FailurePolicy failure;
  /** The limit at 1/expectedInstances, which an instance enforces alone under {@link FailurePolicy#LOCAL}. */
  final BucketConfiguration localConfiguration;

  SharedLimit(LimitConfig config, BucketConfiguration configuration, LimiterStoreConfig store) {
    name = config.name();
    this.configuration = configuration;
    long min = Long.MAX_VALUE;
    for (Bandwidth b : configuration.getBandwidths()) {
      min = Math.min(min, b.getCapacity());
    }
    capacity = min;
    batch = Math.max(1, (long) Math.floor(capacity * store.batch()));
    lowWater = Math.max(1, batch / 2);
    int n = store.expectedInstances();
    share = Math.max(1, capacity / n);
    failure = store.resolve(config.failure());
    ConfigurationBuilder local = BucketConfiguration.builder();
    for (Bandwidth b : configuration.getBandwidths()) {
      long c = Math.max(1, b.getCapacity() / n);
      local.addLimit(Bandwidth.builder().capacity(c).refillGreedy(c, java.time.Duration.ofNanos(b.getRefillPeriodNanos()))
          .build());
    }
    localConfiguration = local.build();
  }

  /**
   * The configuration a bucket missing from Redis is created with, when this instance last drew on it
   * {@code sinceNanos} ago ({@code -1}: never). A bucket this instance has never seen starts full; one it has
   * seen and that is gone (Redis lost it) starts at what it would hold had it been empty then: never full to
   * everyone at once after Redis comes back empty.
   */
  BucketConfiguration creation(long sinceNanos) {
    if (sinceNanos < 0) {
      return configuration;
    }
    ConfigurationBuilder builder = BucketConfiguration.builder();
    for (Bandwidth b : configuration.getBandwidths()) {
      long refilled = refilledIn(b, sinceNanos);
      builder.addLimit(Bandwidth.builder().capacity(b.getCapacity())
          .refillGreedy(b.getRefillTokens(), java.time.Duration.ofNanos(b.getRefillPeriodNanos()))
          .initialTokens(refilled).build());
    }
    return builder.build();
  }

  private static long refilledIn(Bandwidth b, long nanos) {
    double tokens = (double) b.getRefillTokens() * nanos / b.getRefillPeriodNanos();
    return (long) Math.min(b.getCapacity(), Math.floor(tokens));
  }
}
