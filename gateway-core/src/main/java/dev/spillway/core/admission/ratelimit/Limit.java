package dev.spillway.core.admission.ratelimit;

import dev.spillway.core.config.BandwidthConfig;
import dev.spillway.core.config.LimitConfig;
import dev.spillway.core.config.LimitUnit;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConfigurationBuilder;
import java.util.concurrent.atomic.LongAdder;

/** One configured limit, with what the hot path needs precomputed and its counters resolved. */
final class Limit {
  final String name;
  final LimitUnit unit;
  final boolean enforce;
  /** The most a bucket of this limit can ever hold: a cost above it can never be admitted. */
  final long minCapacity;
  final long quota;
  final long windowSeconds;
  final BucketConfiguration configuration;
  final LongAdder rejected;
  final LongAdder shadowRejected;

  Limit(LimitConfig config, RateLimitStats.LimitCounters counters) {
    name = config.name();
    unit = config.unit();
    enforce = config.enforce();
    BandwidthConfig widest = config.widest();
    quota = widest.capacity();
    windowSeconds = Math.max(1, widest.period().getSeconds());
    long min = Long.MAX_VALUE;
    ConfigurationBuilder builder = BucketConfiguration.builder();
    java.util.Map<String, Integer> seen = new java.util.HashMap<>();
    for (BandwidthConfig b : config.bandwidths()) {
      min = Math.min(min, b.capacity());
      String period = b.period().toString();
      int n = seen.merge(period, 1, Integer::sum);
      String id = n == 1 ? period : period + "#" + n;
      // Named by its period, so a reload that changes the limit matches each window to its old state (Bucket4j
      // matches unnamed bandwidths only when a bucket has exactly one) and never hands out a full bucket.
      builder.addLimit(Bandwidth.builder().capacity(b.capacity()).refillGreedy(b.capacity(), b.period())
          .id(id).build());
    }
    minCapacity = min;
    configuration = builder.build();
    rejected = counters.rejected;
    shadowRejected = counters.shadowRejected;
  }

  /** What a request costs against this limit. */
  long cost(long tokenCost) {
    return unit == LimitUnit.REQUESTS ? 1 : tokenCost;
  }
}
