package dev.spillway.core.retry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.attempt.AttemptOutcome;
import dev.spillway.core.config.RetryConfig;
import dev.spillway.core.time.FakeTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RouteRetriesTest {
  private static final RetryConfig CONFIG = new RetryConfig(3, Duration.ofMillis(10), Duration.ofSeconds(1),
      1024, 0.5, 0);

  @Test
  void failsFastOnceTheBudgetIsSpent() {
    RouteRetries retries = new RouteRetries(new RetryPolicy(CONFIG, () -> 0.5), RetryBudget.of(CONFIG,
        new FakeTicker()));
    retries.onFirstAttempt();
    retries.onFirstAttempt();

    RetryDecision first = retries.decide(1, AttemptOutcome.STATUS_502, false, true, 0);
    RetryDecision second = retries.decide(1, AttemptOutcome.STATUS_502, false, true, 0);

    assertThat(first.shouldRetry()).isTrue();
    assertThat(first.delayNanos()).isEqualTo(7_500_000);
    assertThat(second.reason()).isEqualTo(NoRetryReason.BUDGET_EXHAUSTED);
    assertThat(retries.budget().retriesAttempted()).isOne();
    assertThat(retries.budget().retriesDenied()).isOne();
  }

  @Test
  void failuresThePolicyRefusesCostNoTokens() {
    RouteRetries retries = RouteRetries.of(CONFIG, new FakeTicker());
    retries.onFirstAttempt();
    retries.onFirstAttempt();

    assertThat(retries.decide(1, AttemptOutcome.TIMEOUT, false, true, 0).reason())
        .isEqualTo(NoRetryReason.NOT_RETRYABLE);
    assertThat(retries.decide(1, AttemptOutcome.STATUS_503, true, true, 0).reason())
        .isEqualTo(NoRetryReason.RESPONSE_STARTED);
    assertThat(retries.decide(3, AttemptOutcome.STATUS_503, false, true, 0).reason())
        .isEqualTo(NoRetryReason.ATTEMPTS_EXHAUSTED);

    assertThat(retries.budget().retriesDenied()).isZero();
    assertThat(retries.budget().balance()).isEqualTo(1.0);
    assertThat(retries.decide(2, AttemptOutcome.STATUS_502, false, true, 0).shouldRetry()).isTrue();
  }

  @Test
  void aRequestThatNeverReachedABackendIsRequeuedWithoutSpendingTheBudget() {
    RouteRetries retries = new RouteRetries(new RetryPolicy(CONFIG, () -> 0.5), RetryBudget.of(CONFIG,
        new FakeTicker()));
    retries.onFirstAttempt();
    retries.onFirstAttempt(); // one token banked (ratio 0.5, no floor)

    for (int i = 0; i < 50; i++) {
      assertThat(retries.decide(1, AttemptOutcome.CONNECT_FAILED, false, true, 0).shouldRetry()).isTrue();
    }
    assertThat(retries.decide(1, AttemptOutcome.CONNECT_TIMEOUT, false, true, 0).shouldRetry()).isTrue();
    assertThat(retries.budget().balance()).isEqualTo(1.0);
    assertThat(retries.budget().retriesAttempted()).isEqualTo(51);
    // maxAttempts still caps them, and a retry after the backend saw the request still pays.
    assertThat(retries.decide(3, AttemptOutcome.CONNECT_FAILED, false, true, 0).reason())
        .isEqualTo(NoRetryReason.ATTEMPTS_EXHAUSTED);
    assertThat(retries.decide(1, AttemptOutcome.STATUS_503, false, true, 0).shouldRetry()).isTrue();
    assertThat(retries.budget().balance()).isZero();
    assertThat(retries.decide(1, AttemptOutcome.STATUS_503, false, true, 0).reason())
        .isEqualTo(NoRetryReason.BUDGET_EXHAUSTED);
  }
}
