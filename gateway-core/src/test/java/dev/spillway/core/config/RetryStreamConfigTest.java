package dev.spillway.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryStreamConfigTest {
  private static final Duration S = Duration.ofSeconds(1);

  @Test
  void defaults() {
    RetryConfig r = RetryConfig.DEFAULTS;
    assertThat(r.maxAttempts()).isEqualTo(3);
    assertThat(r.backoffBase()).isEqualTo(Duration.ofMillis(25));
    assertThat(r.backoffMax()).isEqualTo(S);
    assertThat(r.maxReplayableBody()).isEqualTo(1 << 20);
    assertThat(r.budgetRatio()).isEqualTo(0.2);
    assertThat(r.minRetriesPerSecond()).isEqualTo(10);
    StreamConfig s = StreamConfig.DEFAULTS;
    assertThat(s.firstTokenTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(s.totalTimeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(s.heartbeats()).isFalse();
    assertThat(s.holdsFirstToken()).isTrue();
  }

  @Test
  void retryValidation() {
    assertThatThrownBy(() -> new RetryConfig(0, S, S, 0, 0.2, 1)).hasMessage("maxAttempts: 0 (expected: 1..10)");
    assertThatThrownBy(() -> new RetryConfig(11, S, S, 0, 0.2, 1)).hasMessage("maxAttempts: 11 (expected: 1..10)");
    assertThatThrownBy(() -> new RetryConfig(3, Duration.ZERO, S, 0, 0.2, 1))
        .hasMessage("backoff.base: 0s (expected: > 0)");
    assertThatThrownBy(() -> new RetryConfig(3, S, Duration.ofMillis(500), 0, 0.2, 1))
        .hasMessage("backoff.max: 500ms (expected: >= backoff.base 1s)");
    assertThatThrownBy(() -> new RetryConfig(3, S, Duration.ofMinutes(2), 0, 0.2, 1))
        .hasMessage("backoff.max: 2m (expected: <= 1m)");
    assertThatThrownBy(() -> new RetryConfig(3, S, S, 17L << 20, 0.2, 1))
        .hasMessage("maxReplayableBody: 17MiB (expected: 0..16MiB)");
    assertThatThrownBy(() -> new RetryConfig(3, S, S, 0, 1.2, 1)).hasMessage("budget.ratio: 1.2 (expected: 0..1)");
    assertThatThrownBy(() -> new RetryConfig(3, S, S, 0, Double.NaN, 1))
        .hasMessage("budget.ratio: NaN (expected: 0..1)");
    assertThatThrownBy(() -> new RetryConfig(3, S, S, 0, 0.2, -1))
        .hasMessage("budget.minRetriesPerSecond: -1 (expected: 0..1000000)");
  }

  @Test
  void streamValidation() {
    Duration m = Duration.ofMinutes(1);
    assertThatThrownBy(() -> new StreamConfig(S.negated(), m, m, Duration.ZERO))
        .hasMessage("firstTokenTimeout: -1s (expected: >= 0)");
    assertThatThrownBy(() -> new StreamConfig(S, Duration.ZERO, m, Duration.ZERO))
        .hasMessage("idleTimeout: 0s (expected: > 0)");
    assertThatThrownBy(() -> new StreamConfig(Duration.ofMinutes(2), S, m, Duration.ZERO))
        .hasMessage("firstTokenTimeout: 2m (expected: <= totalTimeout 1m)");
    assertThatThrownBy(() -> new StreamConfig(S, Duration.ofMinutes(2), m, Duration.ZERO))
        .hasMessage("idleTimeout: 2m (expected: <= totalTimeout 1m)");
    assertThatThrownBy(() -> new StreamConfig(S, m, m, m))
        .hasMessage("heartbeatInterval: 1m (expected: 0 or < idleTimeout 1m)");
    StreamConfig unbounded = new StreamConfig(Duration.ZERO, Duration.ofMinutes(5), Duration.ZERO,
        Duration.ofSeconds(15));
    assertThat(unbounded.holdsFirstToken()).isFalse();
    assertThat(unbounded.heartbeats()).isTrue();
  }

  @Test
  void tierValidation() {
    assertThat(FailoverTierConfig.of("primary").rewritesModel()).isFalse();
    assertThat(new FailoverTierConfig("small", "gpt-4o-mini").rewritesModel()).isTrue();
    assertThatThrownBy(() -> new FailoverTierConfig(" ", null))
        .hasMessage("backend: \" \" (expected: a non-empty string)");
    assertThatThrownBy(() -> new FailoverTierConfig("b", ""))
        .hasMessage("model: \"\" (expected: a non-empty string)");
  }
}
