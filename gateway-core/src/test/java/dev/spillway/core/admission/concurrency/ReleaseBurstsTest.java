package dev.spillway.core.admission.concurrency;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** How many places a backend frees at once, over the last one to two seconds. */
class ReleaseBurstsTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  private final ReleaseBursts bursts = new ReleaseBursts();

  @Test
  void releasesOneByOneAreBurstsOfOne() {
    assertThat(bursts.largest()).isZero();
    for (int i = 0; i < 100; i++) {
      bursts.onRelease(i * 5 * MS);
    }
    assertThat(bursts.largest()).isEqualTo(1);
  }

  @Test
  void aBatchThatEndsTogetherCountsWhole() {
    for (int i = 0; i < 64; i++) {
      bursts.onRelease(500 * MS + i * 10_000);
    }
    bursts.onRelease(700 * MS);
    assertThat(bursts.largest()).isEqualTo(64);
  }

  @Test
  void aBurstIsForgottenAfterTwoQuietPeriods() {
    for (int i = 0; i < 20; i++) {
      bursts.onRelease(i * 1000);
    }
    bursts.onRelease(1_500 * MS);
    assertThat(bursts.largest()).as("the last period's burst").isEqualTo(20);
    bursts.onRelease(2_600 * MS);
    bursts.onRelease(3_700 * MS);
    assertThat(bursts.largest()).isEqualTo(1);
  }
}
