package dev.spillway.bench;

import dev.spillway.core.config.Balancing;
import dev.spillway.core.config.EndpointAddress;
import dev.spillway.core.config.EndpointConfig;
import dev.spillway.core.config.OutlierConfig;
import dev.spillway.core.config.ResilienceConfig;
import dev.spillway.core.time.Ticker;
import dev.spillway.core.upstream.resilience.EndpointAttempt;
import dev.spillway.core.upstream.resilience.EndpointEventListener;
import dev.spillway.core.upstream.resilience.EndpointGroup;
import dev.spillway.core.upstream.resilience.EndpointState;
import dev.spillway.core.attempt.AttemptOutcome;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Picking an endpoint and completing the attempt, with everything consulted that the request path consults:
 * 8 endpoints, of which one is unhealthy, one has an open breaker and one is cooling down; the rest have
 * breakers in the closed state counting every call. Each invocation acquires an attempt, completes it as a
 * success (one in 64 as a server error, so the breakers' failure path runs too) and returns the endpoint.
 *
 * <p>The attempt object is the only allocation expected on the happy path; the weighted picker also takes a
 * lock, uncontended here.
 *
 * <p>Run with:
 * <pre>
 *   java -jar benchmarks/target/benchmarks.jar EndpointSelectionBenchmark -f 1 -wi 2 -i 3 -w 1s -r 1s -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class EndpointSelectionBenchmark {
  private static final int ENDPOINTS = 8;
  private static final long LATENCY = TimeUnit.MILLISECONDS.toNanos(250);

  @Param({"POWER_OF_TWO_CHOICES", "ROUND_ROBIN", "WEIGHTED"})
  public Balancing balancing;

  private EndpointGroup group;
  private final SplittableRandom random = new SplittableRandom(1);
  private int calls;

  @Setup
  public void setup() {
    List<EndpointConfig> endpoints = new ArrayList<>();
    for (int i = 0; i < ENDPOINTS; i++) {
      endpoints.add(new EndpointConfig(new EndpointAddress("gpu" + i, 8000), 1 + i % 3, 0));
    }
    Ticker ticker = Ticker.system();
    // Outlier ejection off: it would take the failing endpoint out before its breaker has seen enough calls.
    ResilienceConfig d = ResilienceConfig.DEFAULTS;
    ResilienceConfig config = new ResilienceConfig(balancing, d.breaker(), d.healthCheck(),
        new OutlierConfig(false, OutlierConfig.DEFAULT_CONSECUTIVE_FAILURES, OutlierConfig.DEFAULT_BASE_EJECTION,
            OutlierConfig.DEFAULT_MAX_EJECTION), d.maxEjectedPercent(), d.maxCooldown());
    group = new EndpointGroup(endpoints, config, ticker, Clock.systemUTC(), EndpointEventListener.NOOP, random);
    List<EndpointState> states = group.states();
    group.setHealthy(states.get(1).endpoint(), false);
    // Breakers and cooldowns are only moved by traffic, so put them in place through attempts.
    for (int i = 0; i < 1_000 && states.get(2).breakerState().name().equals("CLOSED"); i++) {
      EndpointAttempt a = group.acquire();
      if (a.endpoint() == states.get(2).endpoint()) {
        a.onFailure(AttemptOutcome.CONNECT_FAILED, LATENCY);
      } else {
        a.onCancelled();
      }
    }
    for (int i = 0; i < 1_000; i++) {
      EndpointAttempt a = group.acquire();
      boolean target = a.endpoint() == states.get(3).endpoint();
      if (target) {
        a.onResponseHeaders(429, new io.netty.handler.codec.http.DefaultHttpHeaders()
            .set("retry-after", "86400"));
      }
      a.onCancelled();
      if (target) {
        break;
      }
    }
    if (!states.get(2).breakerState().name().equals("OPEN") || !states.get(3).coolingDown(ticker.nanoTime())) {
      throw new IllegalStateException("fixture not in place: " + states);
    }
  }

  @Benchmark
  public Object selectAndComplete() {
    EndpointAttempt attempt = group.acquire();
    if ((++calls & 63) == 0) {
      attempt.onFailure(AttemptOutcome.STATUS_OTHER, LATENCY);
    } else {
      attempt.onSuccess(LATENCY);
    }
    return attempt.endpoint();
  }
}
