package dev.spillway.core.admission.concurrency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A window's answers fitted against their lengths: a batch's slower tokens apart from a queue's wait. */
class AnswerFitTest {
  static final long MS = 1_000_000;

  @Test
  void aFullerBatchRaisesTheSlopeNotTheIntercept() {
    AnswerFit small = fit(32, 50 * MS, 19 * MS, 0, 0);
    AnswerFit full = fit(32, 50 * MS, 58 * MS, 0, 0);

    assertThat(full.lengthBound()).isTrue();
    assertThat(full.slopeNanos() / small.slopeNanos()).isCloseTo(58.0 / 19, within(0.2));
    assertThat(full.queueShare(50 * MS)).as("three times slower tokens, no wait").isZero();
  }

  @Test
  void aQueueRaisesTheInterceptBySameWaitForShortAndLongAnswers() {
    AnswerFit queued = fit(32, 50 * MS, 40 * MS, 2_000 * MS, 0);

    assertThat(queued.lengthBound()).isTrue();
    assertThat(queued.interceptNanos()).isCloseTo(2_050.0 * MS, within(50.0 * MS));
    // Less one standard error of what chance explains; no noise here, so the whole wait over the mean time.
    assertThat(queued.queueShare(50 * MS)).isCloseTo(2_000.0 / (2_050 + 40 * queued.meanTokens()), within(0.01));
  }

  @Test
  void noisyAnswersAreDiscountedByWhatChanceExplains() {
    AnswerFit noisy = fit(16, 50 * MS, 30 * MS, 0, 1_000 * MS);

    assertThat(noisy.interceptErrorNanos()).isPositive();
    assertThat(noisy.queueShare(50 * MS)).as("no wait, only noise").isLessThan(0.05);
  }

  @Test
  void aServiceTimeThatIgnoresTheLengthIsLengthFree() {
    SplittableRandom r = new SplittableRandom(3);
    long[] totals = new long[32];
    long[] tokens = new long[32];
    for (int i = 0; i < totals.length; i++) {
      tokens[i] = 1 + r.nextInt(512);
      totals[i] = 250 * MS + r.nextLong(500 * MS);
    }
    AnswerFit fit = AnswerFit.of(totals, tokens, totals.length);

    assertThat(fit.lengthBound()).isFalse();
    assertThat(fit.lengthFree()).isTrue();
  }

  @Test
  void tooFewAnswersOrOneLengthFitNothing() {
    assertThat(AnswerFit.of(new long[32], new long[32], AnswerFit.MIN_SAMPLES - 1)).isNull();
    long[] same = new long[32];
    java.util.Arrays.fill(same, 50);
    assertThat(AnswerFit.of(new long[32], same, 32)).isNull();
  }

  /** {@code n} answers of 1-512 tokens taking {@code fixed + perToken * tokens + wait}, give or take {@code noise}. */
  static AnswerFit fit(int n, long fixed, long perToken, long wait, long noise) {
    SplittableRandom r = new SplittableRandom(7);
    long[] totals = new long[n];
    long[] tokens = new long[n];
    for (int i = 0; i < n; i++) {
      tokens[i] = 1 + r.nextInt(512);
      long jitter = noise > 0 ? r.nextLong(-noise, noise) : 0;
      totals[i] = Math.max(1, fixed + perToken * tokens[i] + wait + jitter);
    }
    return AnswerFit.of(totals, tokens, n);
  }
}
