package dev.spillway.core.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spillway.core.config.RetryConfig;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private static final long MS = 1_000_000L;

  @Test
  void ceilingDoublesUpToTheMax() {
    Backoff backoff = new Backoff(25 * MS, 1000 * MS);
    assertThat(backoff.ceilingNanos(1)).isEqualTo(25 * MS);
    assertThat(backoff.ceilingNanos(2)).isEqualTo(50 * MS);
    assertThat(backoff.ceilingNanos(3)).isEqualTo(100 * MS);
    assertThat(backoff.ceilingNanos(6)).isEqualTo(800 * MS);
    assertThat(backoff.ceilingNanos(7)).isEqualTo(1000 * MS);
    for (int retry = 8; retry < 200; retry++) {
      assertThat(backoff.ceilingNanos(retry)).as("retry " + retry).isEqualTo(1000 * MS);
    }
    assertThat(backoff.ceilingNanos(Integer.MAX_VALUE)).isEqualTo(1000 * MS);
    Backoff huge = new Backoff(Long.MAX_VALUE / 3, Long.MAX_VALUE);
    assertThat(huge.ceilingNanos(2)).isEqualTo(Long.MAX_VALUE / 3 * 2);
    assertThat(huge.ceilingNanos(3)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void equalJitterStaysInTheUpperHalfOfTheWindow() {
    Backoff backoff = Backoff.of(new RetryConfig(10, Duration.ofMillis(25), Duration.ofSeconds(1), 0, 0.2, 10));
    Random random = new Random(42);
    for (int retry = 1; retry <= 9; retry++) {
      long ceiling = backoff.ceilingNanos(retry);
      long min = Long.MAX_VALUE;
      long max = Long.MIN_VALUE;
      double sum = 0;
      int samples = 20_000;
      for (int i = 0; i < samples; i++) {
        long d = backoff.nanos(retry, random.nextDouble());
        assertThat(d).isBetween(ceiling / 2, ceiling);
        min = Math.min(min, d);
        max = Math.max(max, d);
        sum += d;
      }
      // Spread over the whole window, not bunched: uniform on [c/2, c] has mean 3c/4.
      assertThat(min).isLessThan(ceiling / 2 + ceiling / 100);
      assertThat(max).isGreaterThan(ceiling - ceiling / 100);
      assertThat(sum / samples).isBetween(0.74 * ceiling, 0.76 * ceiling);
    }
  }

  @Test
  void extremesOfTheRandomNumber() {
    Backoff backoff = new Backoff(101, 10_000);
    assertThat(backoff.nanos(1, 0.0)).isEqualTo(50);
    assertThat(backoff.nanos(1, Math.nextDown(1.0))).isEqualTo(100);
    Backoff big = new Backoff(Duration.ofSeconds(60).toNanos(), Duration.ofSeconds(60).toNanos());
    assertThat(big.nanos(1, Math.nextDown(1.0))).isLessThanOrEqualTo(Duration.ofSeconds(60).toNanos());
  }

  @Test
  void validates() {
    assertThatThrownBy(() -> new Backoff(0, 1)).hasMessageContaining("expected: 0 < baseNanos <= maxNanos");
    assertThatThrownBy(() -> new Backoff(2, 1)).hasMessageContaining("expected: 0 < baseNanos <= maxNanos");
    assertThatThrownBy(() -> new Backoff(1, 1).ceilingNanos(0)).hasMessage("retry: 0 (expected: >= 1)");
  }
}
