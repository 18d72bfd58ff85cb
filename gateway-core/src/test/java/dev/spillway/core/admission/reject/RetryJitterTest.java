package dev.spillway.core.admission.reject;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RetryJitterTest {

  @Test
  void staysWithinHalfToOneAndAHalfOfTheBaseAndSpreads() {
    long base = 2_000_000_000L;
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    double sum = 0;
    int n = 100_000;
    for (int i = 0; i < n; i++) {
      long j = RetryJitter.jitter(base);
      assertThat(j).isBetween(base / 2, base + base / 2);
      min = Math.min(min, j);
      max = Math.max(max, j);
      sum += j;
    }
    // Uniform over [1s, 3s]: the extremes come close to the bounds and the mean sits at the base.
    assertThat(min).isLessThan(base / 2 + base / 100);
    assertThat(max).isGreaterThan(base + base / 2 - base / 100);
    assertThat(sum / n).isBetween(base * 0.99, base * 1.01);
  }

  @Test
  void neverGoesBelowOneMillisecond() {
    assertThat(RetryJitter.jitter(0)).isEqualTo(RetryJitter.MIN_NANOS);
    assertThat(RetryJitter.jitter(-5)).isEqualTo(RetryJitter.MIN_NANOS);
    for (int i = 0; i < 10_000; i++) {
      assertThat(RetryJitter.jitter(1_000)).isEqualTo(RetryJitter.MIN_NANOS);
      assertThat(RetryJitter.jitter(1_500_000)).isBetween(RetryJitter.MIN_NANOS, 2_250_000L);
    }
  }

  @Test
  void survivesHugeBases() {
    for (int i = 0; i < 1_000; i++) {
      assertThat(RetryJitter.jitter(Long.MAX_VALUE)).isGreaterThanOrEqualTo(Long.MAX_VALUE / 2);
      assertThat(RetryJitter.jitter(Long.MAX_VALUE - 1)).isPositive();
    }
  }
}
