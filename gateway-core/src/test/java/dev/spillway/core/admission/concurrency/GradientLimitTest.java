package dev.spillway.core.admission.concurrency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.ConcurrencyConfig.LatencySignal;
import dev.spillway.core.config.ConcurrencyConfig.Mode;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The adaptive limit, fed synthetic samples (as concurrency-limits' tests do). */
class GradientLimitTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  @Test
  void steadyLatencyGrowsTheLimitToItsMaximum() {
    GradientLimit limit = limit(LatencySignal.TTFB, 20);

    int previous = limit.limit();
    for (int i = 0; i < 200; i++) {
      limit.onSample(10 * MS, 500 * MS, 50, limit.limit());
      assertThat(limit.limit()).isGreaterThanOrEqualTo(previous);
      previous = limit.limit();
    }

    assertThat(limit.limit()).isEqualTo(200);
  }

  @Test
  void limitDoesNotGrowWhileMostOfItIsUnused() {
    GradientLimit limit = limit(LatencySignal.TTFB, 20);

    for (int i = 0; i < 200; i++) {
      limit.onSample(10 * MS, 500 * MS, 50, 5);
    }

    assertThat(limit.limit()).isEqualTo(20);
  }

  @Test
  void doublingLatencyShrinksTheLimit() {
    GradientLimit limit = limit(LatencySignal.TTFB, 100);
    for (int i = 0; i < 100; i++) {
      limit.onSample(10 * MS, 500 * MS, 50, limit.limit());
    }
    int before = limit.limit();

    for (int i = 0; i < 30; i++) {
      limit.onSample(20 * MS, 1_000 * MS, 50, limit.limit());
    }

    assertThat(before).isEqualTo(200);
    // gradient 1.5 * 10 / 20 = 0.75: about 5% off per sample once the short-term average has moved.
    assertThat(limit.limit()).isLessThan(before * 7 / 10).isGreaterThanOrEqualTo(4);
  }

  @Test
  void latencyWithinToleranceKeepsTheLimit() {
    GradientLimit limit = limit(LatencySignal.TTFB, 100);
    for (int i = 0; i < 100; i++) {
      limit.onSample(10 * MS, 500 * MS, 50, limit.limit());
    }

    for (int i = 0; i < 30; i++) {
      limit.onSample(14 * MS, 500 * MS, 50, limit.limit());
    }

    assertThat(limit.limit()).isEqualTo(200);
  }

  @Test
  void dropsShrinkTheLimitMultiplicativelyDownToItsFloor() {
    GradientLimit limit = limit(LatencySignal.TTFB, 100);

    limit.onDropped();
    assertThat(limit.limit()).isEqualTo(90);
    for (int i = 0; i < 9; i++) {
      limit.onDropped();
    }
    assertThat(limit.limit()).isEqualTo(34);
    for (int i = 0; i < 100; i++) {
      limit.onDropped();
    }
    assertThat(limit.limit()).isEqualTo(4);
  }

  @Test
  void longAnswersDoNotReadAsCongestionPerToken() {
    GradientLimit limit = limit(LatencySignal.PER_TOKEN, 20);
    Random random = new Random(42);

    for (int i = 0; i < 300; i++) {
      long tokens = 1 + random.nextInt(2_000);
      limit.onSample(300 * MS, 300 * MS + tokens * 20 * MS, tokens, limit.limit());
    }

    assertThat(limit.limit()).as("response times spread 1000x, time per token steady").isEqualTo(200);
  }

  @Test
  void longAnswersDoNotReadAsCongestionOnTimeToFirstByte() {
    GradientLimit limit = limit(LatencySignal.TTFB, 20);
    Random random = new Random(7);

    for (int i = 0; i < 300; i++) {
      long tokens = 1 + random.nextInt(2_000);
      limit.onSample(300 * MS, 300 * MS + tokens * 20 * MS, tokens, limit.limit());
    }

    assertThat(limit.limit()).isEqualTo(200);
  }

  @Test
  void slowerTokensDoReadAsCongestion() {
    GradientLimit limit = limit(LatencySignal.PER_TOKEN, 100);
    Random random = new Random(42);
    for (int i = 0; i < 100; i++) {
      long tokens = 1 + random.nextInt(2_000);
      limit.onSample(300 * MS, tokens * 20 * MS, tokens, limit.limit());
    }

    for (int i = 0; i < 30; i++) {
      long tokens = 1 + random.nextInt(2_000);
      limit.onSample(300 * MS, tokens * 40 * MS, tokens, limit.limit());
    }

    assertThat(limit.limit()).isLessThan(140);
  }

  @Test
  void limitStaysWithinItsBoundsUnderRandomSamples() {
    GradientLimit limit = limit(LatencySignal.PER_TOKEN, 50);
    Random random = new Random(1234);

    for (int i = 0; i < 100_000; i++) {
      if (random.nextInt(20) == 0) {
        limit.onDropped();
      } else {
        long tokens = random.nextInt(3_000);
        limit.onSample(random.nextInt(2_000) * MS, random.nextInt(60_000) * MS, tokens, random.nextInt(400));
      }
      assertThat(limit.limit()).isBetween(4, 200);
    }
  }

  @Test
  void admissionFeedsPermitsIntoTheAdaptiveLimit() {
    ConcurrencyConfig config = new ConcurrencyConfig(Mode.ADAPTIVE, 10, 4, 200, LatencySignal.TTFB);
    try (AdmissionRig rig = new AdmissionRig(config, AdmissionRig.room(8, AdmissionRig.noShares()))) {
      rig.standard("a", "x").permit.onDropped();
      assertThat(rig.admission.limit()).isEqualTo(9);

      for (int round = 0; round < 50; round++) {
        AdmissionRig.Call[] held = new AdmissionRig.Call[rig.admission.limit()];
        for (int i = 0; i < held.length; i++) {
          held[i] = rig.standard("r" + round + "." + i, "x");
        }
        for (AdmissionRig.Call call : held) {
          call.permit.onSuccess(10 * MS, 100 * MS, 20);
        }
      }

      assertThat(rig.admission.limit()).isEqualTo(200);
      assertThat(rig.admission.inFlight()).isZero();
    }
  }

  private static GradientLimit limit(LatencySignal signal, int initial) {
    return new GradientLimit(new ConcurrencyConfig(Mode.ADAPTIVE, initial, 4, 200, signal));
  }
}
