package dev.spillway.core.upstream.resilience;

import dev.spillway.core.config.BreakerConfig;
import dev.spillway.core.time.Ticker;
import dev.spillway.core.time.Tickers;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import io.github.resilience4j.core.IntervalFunction;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/** Builds the Resilience4j breaker of one endpoint from a {@link BreakerConfig}. */
final class Breakers {
  private Breakers() {}

  /**
   * A breaker on {@code ticker}'s time. Resilience4j reads time in two places, so both are set: the
   * {@code clock} (open-state wait, time-based window) and the timestamp function (which would otherwise be
   * {@code System.nanoTime()}). Transitions happen only inside permission and result calls, never on a timer,
   * so no scheduler thread is involved. A disabled config makes a breaker that only counts.
   *
   * <p>The open wait is {@code waitInOpen × 2^(n-1)}, capped at {@code maxWaitInOpen}, where {@code n} counts
   * the openings since the breaker was last closed: Resilience4j counts them (a failed half-open trial opens it
   * with {@code n + 1}, closing starts over), also when a health check moved it to half-open.
   */
  static CircuitBreaker create(String name, BreakerConfig config, Ticker ticker) {
    Clock clock = Tickers.clock(ticker);
    CircuitBreaker breaker = CircuitBreaker.of(name, CircuitBreakerConfig.custom()
        .clock(clock)
        .currentTimestampFunction(c -> ticker.nanoTime(), TimeUnit.NANOSECONDS)
        .writableStackTraceEnabled(false)
        .failureRateThreshold(config.failureRateThreshold())
        .slowCallRateThreshold(config.slowCallRateThreshold())
        .slowCallDurationThreshold(config.slowCallDuration())
        .slidingWindow(config.windowSize(), config.minimumCalls(),
            config.windowType() == BreakerConfig.WindowType.COUNT
                ? SlidingWindowType.COUNT_BASED : SlidingWindowType.TIME_BASED)
        .waitIntervalFunctionInOpenState(IntervalFunction.ofExponentialBackoff(config.waitInOpen(), 2.0,
            config.maxWaitInOpen()))
        .permittedNumberOfCallsInHalfOpenState(config.halfOpenCalls())
        .automaticTransitionFromOpenToHalfOpenEnabled(false)
        .build());
    if (!config.enabled()) {
      breaker.transitionToMetricsOnlyState();
    }
    return breaker;
  }
}
