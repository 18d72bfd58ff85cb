package dev.spillway.core.upstream.resilience;

import dev.spillway.core.attempt.AttemptOutcome;
import static io.github.resilience4j.circuitbreaker.CircuitBreaker.State.CLOSED;
import static io.github.resilience4j.circuitbreaker.CircuitBreaker.State.HALF_OPEN;
import static io.github.resilience4j.circuitbreaker.CircuitBreaker.State.OPEN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.Balancing;
import dev.spillway.core.config.BreakerConfig;
import dev.spillway.core.config.HealthCheckConfig;
import dev.spillway.core.config.ResilienceConfig;
import dev.spillway.core.time.FakeTicker;
import dev.spillway.core.upstream.Endpoint;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BreakerTest {
  private static final long FAST = Duration.ofMillis(20).toNanos();
  private static final long SLOW = Groups.SLOW.plusMillis(1).toNanos();

  private final FakeTicker ticker = new FakeTicker();
  private final List<String> transitions = new ArrayList<>();
  private final EndpointGroup group = Groups.group(Groups.endpoints(1),
      Groups.breakerOnly(Balancing.ROUND_ROBIN), ticker,
      new EndpointEventListener() {
        @Override
        public void onBreakerStateChange(Endpoint e, CircuitBreaker.State from, CircuitBreaker.State to) {
          transitions.add(from + "->" + to);
        }
      });
  private final EndpointState state = group.states().get(0);

  @Test
  void opensOnFailureRate() {
    for (int i = 0; i < 5; i++) {
      group.acquire().onSuccess(FAST);
    }
    for (int i = 0; i < 4; i++) {
      group.acquire().onFailure(AttemptOutcome.STATUS_OTHER, FAST);
    }
    assertThat(state.breakerState()).isEqualTo(CLOSED);
    group.acquire().onFailure(AttemptOutcome.CONNECT_FAILED, FAST);
    assertThat(state.breakerState()).isEqualTo(OPEN);
    assertThat(transitions).containsExactly("CLOSED->OPEN");
    assertThat(group.acquire()).isNull();
    assertThat(group.select()).isNull();
    assertThat(state.outstanding()).isZero();
  }

  @Test
  void opensOnSlowCallRate() {
    for (int i = 0; i < 5; i++) {
      group.acquire().onSuccess(FAST);
    }
    for (int i = 0; i < 5; i++) {
      group.acquire().onSuccess(SLOW);
    }
    assertThat(state.breakerState()).isEqualTo(OPEN);
  }

  @Test
  void halfOpenTrialsThatSucceedClose() {
    EndpointState s = openState();
    ticker.advance(Duration.ofSeconds(29));
    assertThat(group.acquire()).isNull();
    ticker.advance(Duration.ofSeconds(2));
    EndpointAttempt first = group.acquire();
    EndpointAttempt second = group.acquire();
    assertThat(s.breakerState()).isEqualTo(HALF_OPEN);
    assertThat(group.acquire()).as("only two trial calls").isNull();
    first.onSuccess(FAST);
    second.onSuccess(FAST);
    assertThat(s.breakerState()).isEqualTo(CLOSED);
    assertThat(transitions).containsExactly("CLOSED->OPEN", "OPEN->HALF_OPEN", "HALF_OPEN->CLOSED");
  }

  @Test
  void halfOpenTrialsThatFailReopen() {
    EndpointState s = openState();
    ticker.advance(Duration.ofSeconds(31));
    EndpointAttempt first = group.acquire();
    EndpointAttempt second = group.acquire();
    first.onSuccess(FAST);
    second.onFailure(AttemptOutcome.TIMEOUT, FAST);
    assertThat(s.breakerState()).isEqualTo(OPEN);
    assertThat(group.acquire()).isNull();
  }

  @Test
  void theOpenWaitDoublesWithEachFailedTrialUpToItsCapAndStartsOverOnceClosed() {
    BreakerConfig b = Groups.breaker();
    EndpointGroup g = Groups.group(Groups.endpoints(1), new ResilienceConfig(Balancing.ROUND_ROBIN,
        new BreakerConfig(true, 50, 50, Groups.SLOW, b.windowType(), 10, 10, Duration.ofSeconds(5),
            Duration.ofSeconds(15), 1), HealthCheckConfig.DEFAULTS, Groups.breakerOnly(Balancing.ROUND_ROBIN)
            .outlier(), 100, Duration.ofMinutes(5)), ticker, EndpointEventListener.NOOP);
    for (int i = 0; i < 10; i++) {
      g.acquire().onFailure(AttemptOutcome.RESET, FAST);
    }
    List<Long> waits = new ArrayList<>();
    for (int round = 0; round < 4; round++) {
      waits.add(secondsUntilATrial(g));
      g.acquire().onFailure(AttemptOutcome.CONNECT_FAILED, FAST);
      assertThat(g.states().get(0).breakerState()).isEqualTo(OPEN);
    }
    assertThat(waits).containsExactly(5L, 10L, 15L, 15L);

    assertThat(secondsUntilATrial(g)).isEqualTo(15);
    g.acquire().onSuccess(FAST);
    assertThat(g.states().get(0).breakerState()).isEqualTo(CLOSED);
    for (int i = 0; i < 10; i++) {
      g.acquire().onFailure(AttemptOutcome.RESET, FAST);
    }
    assertThat(secondsUntilATrial(g)).as("closing starts the waits over").isEqualTo(5);
  }

  @Test
  void anEndpointTheHealthChecksSeeHealthyAgainGetsItsTrialsAtOnce() {
    EndpointState s = openState();
    group.setHealthy(s.endpoint(), false);
    ticker.advance(Duration.ofSeconds(3));
    assertThat(group.acquire()).isNull();

    group.setHealthy(s.endpoint(), true);

    assertThat(s.breakerState()).isEqualTo(HALF_OPEN);
    EndpointAttempt first = group.acquire();
    EndpointAttempt second = group.acquire();
    assertThat(group.acquire()).as("trial calls only").isNull();
    first.onSuccess(FAST);
    second.onSuccess(FAST);
    assertThat(s.breakerState()).isEqualTo(CLOSED);
    assertThat(transitions).containsExactly("CLOSED->OPEN", "OPEN->HALF_OPEN", "HALF_OPEN->CLOSED");
  }

  @Test
  void healthChecksThatNeverFailedLeaveTheBreakersWaitAlone() {
    EndpointState s = openState();
    group.setHealthy(s.endpoint(), true); // no change: the breaker's own evidence stands
    assertThat(s.breakerState()).isEqualTo(OPEN);
    assertThat(group.acquire()).isNull();
  }

  @Test
  void aFailedTrialAfterAHealthCheckWaitsLongerNextTime() {
    BreakerConfig b = Groups.breaker();
    EndpointGroup g = Groups.group(Groups.endpoints(1), new ResilienceConfig(Balancing.ROUND_ROBIN,
        new BreakerConfig(true, 50, 50, Groups.SLOW, b.windowType(), 10, 10, Duration.ofSeconds(5),
            Duration.ofSeconds(15), 1), HealthCheckConfig.DEFAULTS, Groups.breakerOnly(Balancing.ROUND_ROBIN)
            .outlier(), 100, Duration.ofMinutes(5)), ticker, EndpointEventListener.NOOP);
    for (int i = 0; i < 10; i++) {
      g.acquire().onFailure(AttemptOutcome.RESET, FAST);
    }
    Endpoint e = g.states().get(0).endpoint();
    g.setHealthy(e, false);
    g.setHealthy(e, true);
    g.acquire().onFailure(AttemptOutcome.STATUS_OTHER, FAST);
    assertThat(secondsUntilATrial(g)).isEqualTo(10);
  }

  /**
   * Whole seconds until the breaker lets a call through (looking a millisecond after each second, since the
   * wait ends strictly after its length); the call is cancelled.
   */
  private long secondsUntilATrial(EndpointGroup g) {
    ticker.advance(Duration.ofMillis(1));
    for (long s = 0; s <= 120; s++) {
      EndpointAttempt trial = g.acquire();
      if (trial != null) {
        trial.onCancelled();
        return s;
      }
      ticker.advance(Duration.ofSeconds(1));
    }
    throw new AssertionError("no trial call within 120 s");
  }

  @Test
  void clientCancelIsNotCounted() {
    for (int i = 0; i < 100; i++) {
      group.acquire().onCancelled();
    }
    assertThat(state.breakerState()).isEqualTo(CLOSED);
    assertThat(state.breaker().getMetrics().getNumberOfBufferedCalls()).isZero();
  }

  @Test
  void cancelledHalfOpenTrialGivesItsPermitBack() {
    openState();
    ticker.advance(Duration.ofSeconds(31));
    EndpointAttempt first = group.acquire();
    EndpointAttempt second = group.acquire();
    assertThat(group.acquire()).isNull();
    second.onCancelled();
    EndpointAttempt third = group.acquire();
    assertThat(third).isNotNull();
    first.onSuccess(FAST);
    third.onSuccess(FAST);
    assertThat(state.breakerState()).isEqualTo(CLOSED);
  }

  @Test
  void listenerThatThrowsDoesNotBreakTheCall() {
    EndpointGroup g = Groups.group(Groups.endpoints(1), Groups.breakerOnly(Balancing.ROUND_ROBIN), ticker,
        new EndpointEventListener() {
          @Override
          public void onBreakerStateChange(Endpoint e, CircuitBreaker.State from, CircuitBreaker.State to) {
            throw new IllegalStateException("listener bug");
          }
        });
    for (int i = 0; i < 10; i++) {
      assertThat(g.acquire().onFailure(AttemptOutcome.RESET, FAST)).isTrue();
    }
    assertThat(g.states().get(0).breakerState()).isEqualTo(OPEN);
  }

  /** Ten failures: the breaker is open at the current fake time. */
  private EndpointState openState() {
    for (int i = 0; i < 10; i++) {
      group.acquire().onFailure(AttemptOutcome.RESET, FAST);
    }
    assertThat(state.breakerState()).isEqualTo(OPEN);
    return state;
  }
}
