package dev.spillway.core.config;

import java.time.Duration;

/**
 * The circuit breaker each endpoint of a backend gets ({@code backends.<name>.breaker}). It opens when, over
 * the window, the share of failed calls or of slow calls reaches its threshold, rejects calls while open,
 * then lets a few trial calls through to decide between closing and opening again. Each time the trials fail
 * and the breaker opens again, it waits twice as long as the time before, up to {@code maxWaitInOpen}; closing
 * starts over from {@code waitInOpen}. Active health checks cut the wait short: an endpoint they see healthy
 * again gets its trial calls at once (see {@code EndpointGroup#setHealthy}).
 *
 * @param enabled {@code false} turns breaking off (the breaker still counts, but never opens)
 * @param failureRateThreshold percentage of failed calls (connect errors, resets, timeouts, 5xx) that opens
 *     the breaker
 * @param slowCallRateThreshold percentage of slow calls that opens the breaker
 * @param slowCallDuration a call taking at least this long is slow
 * @param windowType count the last {@code windowSize} calls, or the calls of the last {@code windowSize}
 *     seconds
 * @param windowSize calls (count-based) or seconds (time-based)
 * @param minimumCalls the rates are not evaluated before this many calls are in the window
 * @param waitInOpen how long an open breaker rejects before letting trial calls through, the first time
 * @param maxWaitInOpen the longest wait, reached by doubling {@code waitInOpen} each time the trials fail;
 *     equal to {@code waitInOpen} for a fixed wait
 * @param halfOpenCalls trial calls in the half-open state; their rates decide between closed and open
 */
public record BreakerConfig(
    boolean enabled,
    int failureRateThreshold,
    int slowCallRateThreshold,
    Duration slowCallDuration,
    WindowType windowType,
    int windowSize,
    int minimumCalls,
    Duration waitInOpen,
    Duration maxWaitInOpen,
    int halfOpenCalls) {

  public static final int DEFAULT_FAILURE_RATE_THRESHOLD = 50;
  /** Off by default (100 %): LLM calls are slow by nature, so slowness must be tuned per backend. */
  public static final int DEFAULT_SLOW_CALL_RATE_THRESHOLD = 100;
  public static final Duration DEFAULT_SLOW_CALL_DURATION = Duration.ofSeconds(60);
  public static final WindowType DEFAULT_WINDOW_TYPE = WindowType.COUNT;
  public static final int DEFAULT_WINDOW_SIZE = 100;
  public static final int DEFAULT_MINIMUM_CALLS = 20;
  /**
   * Short, because the status page follows the breaker: a backend that is back gets its trial calls within
   * seconds. Repeated failures stretch the wait (up to {@link #DEFAULT_MAX_WAIT_IN_OPEN}).
   */
  public static final Duration DEFAULT_WAIT_IN_OPEN = Duration.ofSeconds(5);
  /**
   * The default cap on the doubling wait: a backend that comes back after a long outage is tried again within
   * this long, even without health checks, so the status reads "operational" well within 30 s.
   */
  public static final Duration DEFAULT_MAX_WAIT_IN_OPEN = Duration.ofSeconds(15);
  public static final int DEFAULT_HALF_OPEN_CALLS = 5;

  public static final BreakerConfig DEFAULTS = new BreakerConfig(true, DEFAULT_FAILURE_RATE_THRESHOLD,
      DEFAULT_SLOW_CALL_RATE_THRESHOLD, DEFAULT_SLOW_CALL_DURATION, DEFAULT_WINDOW_TYPE, DEFAULT_WINDOW_SIZE,
      DEFAULT_MINIMUM_CALLS, DEFAULT_WAIT_IN_OPEN, DEFAULT_MAX_WAIT_IN_OPEN, DEFAULT_HALF_OPEN_CALLS);

  public BreakerConfig {
    Checks.inRange("failureRateThreshold", failureRateThreshold, 1, 100);
    Checks.inRange("slowCallRateThreshold", slowCallRateThreshold, 1, 100);
    Checks.positive("slowCallDuration", slowCallDuration);
    Checks.notNull("windowType", windowType);
    Checks.positive("windowSize", windowSize);
    Checks.positive("minimumCalls", minimumCalls);
    Checks.positive("waitInOpen", waitInOpen);
    Checks.positive("maxWaitInOpen", maxWaitInOpen);
    if (maxWaitInOpen.compareTo(waitInOpen) < 0) {
      throw new ConfigException("maxWaitInOpen", Durations.format(maxWaitInOpen) + " (expected: >= waitInOpen "
          + Durations.format(waitInOpen) + ")");
    }
    Checks.positive("halfOpenCalls", halfOpenCalls);
    if (windowType == WindowType.COUNT && minimumCalls > windowSize) {
      throw new ConfigException("minimumCalls", minimumCalls + " (expected: <= windowSize " + windowSize
          + " for a count window)");
    }
  }

  /**
   * The cap a config gets when it sets {@code waitInOpen} but not {@code maxWaitInOpen}: the default cap, or
   * {@code waitInOpen} itself when that is longer (a fixed wait, as such a config meant).
   */
  public static Duration defaultMaxWaitInOpen(Duration waitInOpen) {
    return waitInOpen.compareTo(DEFAULT_MAX_WAIT_IN_OPEN) > 0 ? waitInOpen : DEFAULT_MAX_WAIT_IN_OPEN;
  }

  /** What the breaker's sliding window counts. */
  public enum WindowType {
    /** The last {@code windowSize} calls. */
    COUNT,
    /** The calls of the last {@code windowSize} seconds. */
    TIME
  }
}
