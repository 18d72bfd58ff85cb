package dev.spillway.core.admission.ratelimit;

import dev.spillway.core.config.LimitUnit;
import java.util.List;

/**
 * What a route's limits look like for one tenant right after an admission decision: the input of the
 * {@code x-ratelimit-*} and IETF {@code RateLimit}/{@code RateLimit-Policy} headers.
 *
 * @param requests the most constraining request-count limit, or {@code null} when none applies
 * @param tokens the most constraining token limit, or {@code null} when none applies
 * @param policies every applicable limit, for {@code RateLimit-Policy}
 */
public record RateLimitStatus(UnitStatus requests, UnitStatus tokens, List<Policy> policies) {
  /** A route with no limits. */
  public static final RateLimitStatus NONE = new RateLimitStatus(null, null, List.of());

  public RateLimitStatus {
    policies = List.copyOf(policies);
  }

  public boolean isEmpty() {
    return requests == null && tokens == null;
  }

  /**
   * One unit's headline numbers, taken from its most constraining limit (the one with the least remaining).
   *
   * @param limit that limit's capacity (of its widest bandwidth)
   * @param remaining what is left now, never below 0
   * @param resetNanos time until that limit is full again
   */
  public record UnitStatus(long limit, long remaining, long resetNanos) {}

  /**
   * One limit, for {@code RateLimit-Policy: "name";q=quota;w=window} and {@code RateLimit: "name";r=..;t=..}.
   *
   * @param windowSeconds the period of its widest bandwidth, in whole seconds (at least 1)
   */
  public record Policy(String name, LimitUnit unit, long quota, long windowSeconds, long remaining,
      long resetNanos) {}
}
