package dev.spillway.core.config;

import java.time.Duration;

/**
 * When and how a route retries a failed attempt on another endpoint (see docs/failover-and-retries.md).
 * YAML keys are in parentheses where they differ from the component name.
 *
 * @param maxAttempts attempts in all, the first included; {@code 1} turns retries off
 * @param backoffBase ({@code backoff.base}) the backoff before the first retry; each later retry doubles it
 * @param backoffMax ({@code backoff.max}) the longest backoff; also the longest backend {@code Retry-After}
 *     the gateway waits out itself (a longer one goes to the client instead)
 * @param maxReplayableBody the largest request body kept for replay; a larger body is never retried
 * @param budgetRatio ({@code budget.ratio}) retries allowed per first attempt over recent traffic (0.2: at
 *     most 20% extra load when everything fails)
 * @param minRetriesPerSecond ({@code budget.minRetriesPerSecond}) retries allowed on top of the ratio, so a
 *     quiet route can still retry; {@code 0} for none
 */
public record RetryConfig(int maxAttempts, Duration backoffBase, Duration backoffMax, long maxReplayableBody,
    double budgetRatio, int minRetriesPerSecond) {
  public static final int DEFAULT_MAX_ATTEMPTS = 3;
  public static final int MAX_ATTEMPTS_LIMIT = 10;
  public static final Duration DEFAULT_BACKOFF_BASE = Duration.ofMillis(25);
  public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofSeconds(1);
  public static final long DEFAULT_MAX_REPLAYABLE_BODY = 1L << 20;
  public static final long MAX_REPLAYABLE_BODY_LIMIT = 16L << 20;
  public static final double DEFAULT_BUDGET_RATIO = 0.2;
  public static final int DEFAULT_MIN_RETRIES_PER_SECOND = 10;
  public static final RetryConfig DEFAULTS = new RetryConfig(DEFAULT_MAX_ATTEMPTS, DEFAULT_BACKOFF_BASE,
      DEFAULT_BACKOFF_MAX, DEFAULT_MAX_REPLAYABLE_BODY, DEFAULT_BUDGET_RATIO, DEFAULT_MIN_RETRIES_PER_SECOND);
  /** Never retries and holds no body for replay ({@code maxAttempts: 1}). */
  public static final RetryConfig DISABLED = new RetryConfig(1, DEFAULT_BACKOFF_BASE, DEFAULT_BACKOFF_MAX, 0,
      0, 0);

  public RetryConfig {
    Checks.inRange("maxAttempts", maxAttempts, 1, MAX_ATTEMPTS_LIMIT);
    Checks.positive("backoff.base", backoffBase);
    Checks.positive("backoff.max", backoffMax);
    if (backoffMax.compareTo(backoffBase) < 0) {
      throw new ConfigException("backoff.max", Durations.format(backoffMax) + " (expected: >= backoff.base "
          + Durations.format(backoffBase) + ")");
    }
    if (backoffMax.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new ConfigException("backoff.max", Durations.format(backoffMax) + " (expected: <= 1m)");
    }
    if (maxReplayableBody < 0 || maxReplayableBody > MAX_REPLAYABLE_BODY_LIMIT) {
      throw new ConfigException("maxReplayableBody", DataSizes.format(maxReplayableBody)
          + " (expected: 0..16MiB)");
    }
    if (!(budgetRatio >= 0 && budgetRatio <= 1)) {
      throw new ConfigException("budget.ratio", budgetRatio + " (expected: 0..1)");
    }
    Checks.inRange("budget.minRetriesPerSecond", minRetriesPerSecond, 0, 1_000_000);
  }

  /** Whether retries are on at all. */
  public boolean enabled() {
    return maxAttempts > 1 && (budgetRatio > 0 || minRetriesPerSecond > 0);
  }
}
