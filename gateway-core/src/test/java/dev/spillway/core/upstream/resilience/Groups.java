package dev.spillway.core.upstream.resilience;

import dev.spillway.core.config.Balancing;
import dev.spillway.core.config.BreakerConfig;
import dev.spillway.core.config.EndpointAddress;
import dev.spillway.core.config.EndpointConfig;
import dev.spillway.core.config.HealthCheckConfig;
import dev.spillway.core.config.OutlierConfig;
import dev.spillway.core.config.ResilienceConfig;
import dev.spillway.core.time.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Test fixtures: groups of endpoints named {@code http://e0:8000}, {@code http://e1:8000}, ... */
final class Groups {
  static final Duration SLOW = Duration.ofSeconds(1);

  private Groups() {}

  static List<EndpointConfig> endpoints(int n) {
    List<EndpointConfig> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(EndpointConfig.of(new EndpointAddress("e" + i, 8000)));
    }
    return out;
  }

  /**
   * A breaker counting the last 10 calls, judged from 10 on, 50 % failures or slow calls, 2 trials, a fixed
   * 30 s open wait.
   */
  static BreakerConfig breaker() {
    return new BreakerConfig(true, 50, 50, SLOW, BreakerConfig.WindowType.COUNT, 10, 10, Duration.ofSeconds(30),
        Duration.ofSeconds(30), 2);
  }

  /** Outlier ejection after 3 failures, 10 s doubling up to 40 s. */
  static OutlierConfig outlier() {
    return new OutlierConfig(true, 3, Duration.ofSeconds(10), Duration.ofSeconds(40));
  }

  static ResilienceConfig config(Balancing balancing, int maxEjectedPercent) {
    return new ResilienceConfig(balancing, breaker(), HealthCheckConfig.DEFAULTS, outlier(), maxEjectedPercent,
        Duration.ofMinutes(5));
  }

  /** Breakers that only count, so outlier ejection can be watched alone. */
  static ResilienceConfig outlierOnly(Balancing balancing) {
    BreakerConfig b = breaker();
    BreakerConfig counting = new BreakerConfig(false, b.failureRateThreshold(), b.slowCallRateThreshold(),
        b.slowCallDuration(), b.windowType(), b.windowSize(), b.minimumCalls(), b.waitInOpen(),
        b.maxWaitInOpen(), b.halfOpenCalls());
    return new ResilienceConfig(balancing, counting, HealthCheckConfig.DEFAULTS, outlier(), 50,
        Duration.ofMinutes(5));
  }

  /** No outlier ejection, so breakers can be watched alone. */
  static ResilienceConfig breakerOnly(Balancing balancing) {
    return new ResilienceConfig(balancing, breaker(), HealthCheckConfig.DEFAULTS,
        new OutlierConfig(false, 3, Duration.ofSeconds(10), Duration.ofSeconds(40)), 100, Duration.ofMinutes(5));
  }

  static EndpointGroup group(List<EndpointConfig> endpoints, ResilienceConfig config, Ticker ticker,
      EndpointEventListener listener) {
    return new EndpointGroup(endpoints, config, ticker, Clock.systemUTC(), listener, new Random(42));
  }

  static EndpointGroup group(int n, Balancing balancing, Ticker ticker) {
    return group(endpoints(n), config(balancing, 50), ticker, EndpointEventListener.NOOP);
  }
}
