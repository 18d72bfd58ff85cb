package dev.spillway.core.upstream.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.attempt.AttemptOutcome;
import dev.spillway.core.config.Balancing;
import dev.spillway.core.time.FakeTicker;
import org.junit.jupiter.api.Test;

/** Every attempt on an endpoint is counted once under its outcome, whatever the verdict. */
class AttemptCountsTest {
  private final FakeTicker ticker = new FakeTicker();
  private final EndpointGroup group = Groups.group(Groups.endpoints(1), Groups.outlierOnly(Balancing.ROUND_ROBIN),
      ticker, EndpointEventListener.NOOP);
  private final EndpointState state = group.states().get(0);

  @Test
  void countsFailedRetriedAndCancelledAttemptsNotOnlyTheLastOne() {
    group.acquire().complete(AttemptOutcome.CONNECT_FAILED, 1);
    group.acquire().complete(AttemptOutcome.STATUS_503, 1);
    group.acquire().complete(AttemptOutcome.CANCELLED, 1);
    group.acquire().complete(AttemptOutcome.SUCCESS, 1);

    assertThat(state.attempts(AttemptOutcome.CONNECT_FAILED)).isEqualTo(1);
    assertThat(state.attempts(AttemptOutcome.STATUS_503)).isEqualTo(1);
    assertThat(state.attempts(AttemptOutcome.CANCELLED)).isEqualTo(1);
    assertThat(state.attempts(AttemptOutcome.SUCCESS)).isEqualTo(1);
    assertThat(state.attempts(AttemptOutcome.TIMEOUT)).isZero();
  }

  @Test
  void aSecondCompletionOfTheSameAttemptIsNotCounted() {
    EndpointAttempt attempt = group.acquire();
    assertThat(attempt.complete(AttemptOutcome.TIMEOUT, 1)).isTrue();
    assertThat(attempt.complete(AttemptOutcome.SUCCESS, 1)).isFalse();

    assertThat(state.attempts(AttemptOutcome.TIMEOUT)).isEqualTo(1);
    assertThat(state.attempts(AttemptOutcome.SUCCESS)).isZero();
  }
}
