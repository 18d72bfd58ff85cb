package dev.spillway.core.admission.ratelimit;

import dev.spillway.core.config.BandwidthConfig;
import dev.spillway.core.config.LimitConfig;
import dev.spillway.core.config.LimitUnit;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.BucketState;
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
  /** Per bandwidth, in the bucket's order: capacity, refill period and the period in whole seconds. */
  final long[] capacities;
  final long[] periodNanos;
  final long[] periodSeconds;
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
    int n = config.bandwidths().size();
    capacities = new long[n];
    periodNanos = new long[n];
    periodSeconds = new long[n];
    ConfigurationBuilder builder = BucketConfiguration.builder();
    java.util.Map<String, Integer> seen = new java.util.HashMap<>();
    for (int i = 0; i < n; i++) {
      BandwidthConfig b = config.bandwidths().get(i);
      capacities[i] = b.capacity();
      periodNanos[i] = b.period().toNanos();
      periodSeconds[i] = Math.max(1, b.period().getSeconds());
      min = Math.min(min, b.capacity());
      String period = b.period().toString();
      int same = seen.merge(period, 1, Integer::sum);
      String id = same == 1 ? period : period + "#" + same;
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

  /**
   * The bandwidth that constrains this limit most in {@code state}: the least remaining relative to its
   * capacity (of equals, the longer period). Its numbers are the ones the headers show, all from one bandwidth.
   */
  int bindingBandwidth(BucketState state) {
    int best = 0;
    for (int b = 1; b < capacities.length; b++) {
      double rb = (double) Math.max(0, state.getCurrentSize(b)) / capacities[b];
      double rbest = (double) Math.max(0, state.getCurrentSize(best)) / capacities[best];
      if (rb < rbest || (rb == rbest && periodNanos[b] > periodNanos[best])) {
        best = b;
      }
    }
    return best;
  }

  /** The bandwidth that keeps {@code cost} out longest in {@code state} (the one that denies it). */
  int denyingBandwidth(BucketState state, long cost) {
    int best = 0;
    double longest = -1;
    for (int b = 0; b < capacities.length; b++) {
      double wait = Math.max(0, cost - state.getCurrentSize(b)) * (double) periodNanos[b] / capacities[b];
      if (wait > longest) {
        longest = wait;
        best = b;
      }
    }
    return best;
  }

  /** Tokens left in bandwidth {@code b}, never below 0. */
  long remaining(BucketState state, int b) {
    return Math.max(0, state.getCurrentSize(b));
  }

  /** Time until bandwidth {@code b} is full again (greedy refill: tokens arrive evenly over its period). */
  long nanosUntilFull(BucketState state, int b) {
    long missing = capacities[b] - state.getCurrentSize(b);
    return missing <= 0 ? 0 : (long) Math.ceil(missing * (double) periodNanos[b] / capacities[b]);
  }

  /** What a request costs against this limit. */
  long cost(long tokenCost) {
    return unit == LimitUnit.REQUESTS ? 1 : tokenCost;
  }
}
