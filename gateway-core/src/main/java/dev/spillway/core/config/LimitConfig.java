package dev.spillway.core.config;

import java.util.List;

/**
 * A rate limit: one token bucket with one or more bandwidths (e.g. a 20/s burst and a 600/1m sustained rate;
 * a request must fit all of them).
 *
 * @param name unique within its tier or route; appears in headers ({@code RateLimit-Policy}) and metrics
 * @param unit requests or LLM tokens
 * @param bandwidths at least one
 * @param enforce {@code false} is shadow mode: would-be rejections are counted and reported, nothing is
 *     rejected
 * @param failure what this limit does while a shared limiter store is unreachable ({@link
 *     FailurePolicy#STORE_DEFAULT}: the store's {@code failure})
 */
public record LimitConfig(String name, LimitUnit unit, List<BandwidthConfig> bandwidths, boolean enforce,
    FailurePolicy failure) {
  /** A limit following the store's failure policy. */
  public LimitConfig(String name, LimitUnit unit, List<BandwidthConfig> bandwidths, boolean enforce) {
    this(name, unit, bandwidths, enforce, FailurePolicy.STORE_DEFAULT);
  }

  public LimitConfig {
    Checks.notNull("failure", failure);
    Checks.notBlank("name", name);
    Checks.notNull("unit", unit);
    Checks.notNull("bandwidths", bandwidths);
    if (bandwidths.isEmpty()) {
      throw new ConfigException("bandwidths", "[] (expected: at least one, e.g. 20/s)");
    }
    bandwidths = List.copyOf(bandwidths);
  }

  /** The bandwidth with the longest period, which the IETF {@code RateLimit-Policy} and OpenAI headers report. */
  public BandwidthConfig widest() {
    BandwidthConfig widest = bandwidths.get(0);
    for (BandwidthConfig b : bandwidths) {
      if (b.period().compareTo(widest.period()) > 0) {
        widest = b;
      }
    }
    return widest;
  }
}
