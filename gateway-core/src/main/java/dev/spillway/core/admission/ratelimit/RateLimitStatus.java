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
 * @param binding the policy {@code RateLimit} reports: the one that refused the request, else the one with
 *     the least remaining relative to its quota; {@code null} to let the headers pick the latter themselves
 */
public record RateLimitStatus(UnitStatus requests, UnitStatus tokens, List<Policy> policies, Policy binding) {
  /** A route with no limits. */
  public static final RateLimitStatus NONE = new RateLimitStatus(null, null, List.of(), null);

  public RateLimitStatus {
    policies = List.copyOf(policies);
  }

  /** A status whose {@code RateLimit} policy is the most constraining of {@code policies}. */
  public RateLimitStatus(UnitStatus requests, UnitStatus tokens, List<Policy> policies) {
    this(requests, tokens, policies, null);
  }

  public boolean isEmpty() {
    return requests == null && tokens == null;
  }

  /**
   * One unit's headline numbers, all from one bandwidth of one limit: the limit that refused the request, else
   * the one with the least remaining relative to its quota; within a limit of several bandwidths, the
   * bandwidth that refused it, else the most constraining one.
   *
   * @param limit that bandwidth's capacity
   * @param remaining what is left in it now, never below 0
   * @param resetNanos on a refusal the wait until the request fits (what {@code Retry-After} says), else the
   *     time until that bandwidth is full again
   */
  public record UnitStatus(long limit, long remaining, long resetNanos) {}

  /**
   * One limit, for {@code RateLimit-Policy: "name";q=quota;w=window} and {@code RateLimit: "name";r=..;t=..}.
   *
   * @param quota the capacity of the limit's reported bandwidth (see {@link UnitStatus})
   * @param windowSeconds that bandwidth's period, in whole seconds (at least 1)
   */
  public record Policy(String name, LimitUnit unit, long quota, long windowSeconds, long remaining,
      long resetNanos) {}
}
