package dev.spillway.core.admission.ratelimit;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one route's rate limiting, for metrics. Per-limit counters are keyed
 * {@code <scope>.<limit name>}: {@code route.rpm} for a route's shared limit, {@code pro.tpm} for limit
 * {@code tpm} of tier {@code pro}. Shadow-mode ({@code enforce: false}) limits show up only in
 * {@link #shadowRejected}, since they reject nothing.
 */
public final class RateLimitStats {
  private final LongAdder admitted = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final LongAdder shadowRejected = new LongAdder();
  private final LongAdder evictions = new LongAdder();
  private final Map<String, LimitCounters> limits = new ConcurrentHashMap<>();

  /** Requests every enforced limit admitted. */
  public long admitted() {
    return admitted.sum();
  }

  /** Requests some enforced limit turned away. */
  public long rejected() {
    return rejected.sum();
  }

  /** Admitted requests that some shadow-mode limit would have turned away. */
  public long shadowRejected() {
    return shadowRejected.sum();
  }

  /** Tenants' buckets dropped from memory (for size or idleness). */
  public long evictions() {
    return evictions.sum();
  }

  /** Rejections by each enforced limit (a request over two limits counts at both). */
  public Map<String, Long> rejectedByLimit() {
    Map<String, Long> out = new TreeMap<>();
    limits.forEach((k, v) -> out.put(k, v.rejected.sum()));
    return out;
  }

  /** Would-be rejections by each shadow-mode limit. */
  public Map<String, Long> shadowRejectedByLimit() {
    Map<String, Long> out = new TreeMap<>();
    limits.forEach((k, v) -> out.put(k, v.shadowRejected.sum()));
    return out;
  }

  LimitCounters register(String key) {
    return limits.computeIfAbsent(key, k -> new LimitCounters());
  }

  void recordAdmitted(boolean shadow) {
    admitted.increment();
    if (shadow) {
      shadowRejected.increment();
    }
  }

  void recordRejected() {
    rejected.increment();
  }

  /** A tenant's buckets were dropped from memory (stores outside this package call it too). */
  public void recordEviction() {
    evictions.increment();
  }

  /** The counters of one limit, resolved once so the hot path needs no map lookup. */
  static final class LimitCounters {
    final LongAdder rejected = new LongAdder();
    final LongAdder shadowRejected = new LongAdder();
  }
}
