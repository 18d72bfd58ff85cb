package dev.spillway.core.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spillway.core.attempt.AttemptOutcome;
import dev.spillway.core.config.RetryConfig;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private static final long MS = 1_000_000L;
  private static final RetryConfig CONFIG = new RetryConfig(3, Duration.ofMillis(100), Duration.ofSeconds(1),
      1 << 20, 0.2, 10);
  private static final Set<AttemptOutcome> RETRYABLE = EnumSet.of(AttemptOutcome.CONNECT_FAILED,
      AttemptOutcome.CONNECT_TIMEOUT, AttemptOutcome.POOL_EXHAUSTED, AttemptOutcome.RESET,
      AttemptOutcome.STATUS_429, AttemptOutcome.STATUS_502, AttemptOutcome.STATUS_503, AttemptOutcome.STATUS_529,
      AttemptOutcome.FIRST_TOKEN_TIMEOUT,
      AttemptOutcome.STREAM_ERROR_BEFORE_CONTENT);

  @Test
  void decisionTable() {
    RetryPolicy policy = new RetryPolicy(CONFIG, new Random(1)::nextDouble);
    int rows = 0;
    for (AttemptOutcome kind : AttemptOutcome.values()) {
      for (boolean started : new boolean[] {false, true}) {
        for (boolean held : new boolean[] {false, true}) {
          for (int attempt = 1; attempt <= 4; attempt++) {
            RetryDecision d = policy.decide(attempt, kind, started, held, 0);
            NoRetryReason expected = started ? NoRetryReason.RESPONSE_STARTED
                : !held ? NoRetryReason.BODY_NOT_REPLAYABLE
                : !RETRYABLE.contains(kind) ? NoRetryReason.NOT_RETRYABLE
                : attempt >= 3 ? NoRetryReason.ATTEMPTS_EXHAUSTED
                : null;
            String row = kind + " started=" + started + " held=" + held + " attempt=" + attempt;
            assertThat(d.reason()).as(row).isEqualTo(expected);
            assertThat(d.shouldRetry()).as(row).isEqualTo(expected == null);
            if (expected == null) {
              long ceiling = 100 * MS << (attempt - 1);
              assertThat(d.delayNanos()).as(row).isBetween(ceiling / 2, ceiling);
            } else {
              assertThat(d.delayNanos()).as(row).isEqualTo(-1);
              assertThat(d).as(row).isSameAs(RetryDecision.noRetry(expected));
            }
            rows++;
          }
        }
      }
    }
    assertThat(rows).isEqualTo(AttemptOutcome.values().length * 16);
  }

  @Test
  void retryableKindsAreTheReplaySafeOnes() {
    for (AttemptOutcome kind : AttemptOutcome.values()) {
      assertThat(kind.retryable()).as(kind.name()).isEqualTo(RETRYABLE.contains(kind));
    }
  }

  @Test
  void neverRetriesSoonerThanRetryAfter() {
    RetryPolicy policy = new RetryPolicy(CONFIG, new Random(2)::nextDouble);
    for (int i = 0; i < 1000; i++) {
      RetryDecision d = policy.decide(1, AttemptOutcome.STATUS_429, false, true, 700 * MS);
      assertThat(d.delayNanos()).isEqualTo(700 * MS);
    }
    // A Retry-After below the backoff leaves the backoff alone.
    RetryDecision small = new RetryPolicy(CONFIG, () -> 0.0).decide(2, AttemptOutcome.STATUS_503, false, true, MS);
    assertThat(small.delayNanos()).isEqualTo(100 * MS);
    // Exactly backoff.max is still waited for; anything longer goes to the client.
    assertThat(policy.decide(1, AttemptOutcome.STATUS_503, false, true, 1000 * MS).delayNanos()).isEqualTo(1000 * MS);
    assertThat(policy.decide(1, AttemptOutcome.STATUS_503, false, true, 1000 * MS + 1).reason())
        .isEqualTo(NoRetryReason.RETRY_AFTER_TOO_LONG);
    assertThat(policy.decide(1, AttemptOutcome.STATUS_503, false, true, -5).shouldRetry()).isTrue();
  }

  @Test
  void replaysOnlyBodiesWithinTheCap() {
    RetryPolicy policy = new RetryPolicy(CONFIG);
    assertThat(policy.canReplay(0)).isTrue();
    assertThat(policy.canReplay(1 << 20)).isTrue();
    assertThat(policy.canReplay((1 << 20) + 1)).isFalse();
    assertThat(policy.canReplay(-1)).isFalse();
    assertThat(new RetryPolicy(RetryConfig.DISABLED).canReplay(0)).isFalse();
  }

  @Test
  void oneAttemptMeansNoRetries() {
    RetryPolicy policy = new RetryPolicy(RetryConfig.DISABLED);
    assertThat(policy.decide(1, AttemptOutcome.CONNECT_FAILED, false, true, 0).reason())
        .isEqualTo(NoRetryReason.ATTEMPTS_EXHAUSTED);
    assertThat(RetryConfig.DISABLED.enabled()).isFalse();
    assertThat(RetryConfig.DEFAULTS.enabled()).isTrue();
  }

  @Test
  void rejectsAttemptZero() {
    assertThatThrownBy(() -> new RetryPolicy(CONFIG).decide(0, AttemptOutcome.CONNECT_FAILED, false, true, 0))
        .hasMessage("attempt: 0 (expected: >= 1)");
    assertThatThrownBy(() -> RetryDecision.retry(-1)).hasMessage("delayNanos: -1 (expected: >= 0)");
  }
}
