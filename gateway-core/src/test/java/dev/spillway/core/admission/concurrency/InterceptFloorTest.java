package dev.spillway.core.admission.concurrency;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * What a length-bound window's wait is measured from: the lowest intercept fitted, including the latest answers'
 * fits whenever they are judged, so that the first window fitted, already queued, is not taken as the floor.
 */
class InterceptFloorTest {
  static final long MS = 1_000_000;
  final SplittableRandom random = new SplittableRandom(5);

  @Test
  void unqueuedAnswersBeforeTheFirstWindowSetTheFloor() {
    LatencySignals signals = new LatencySignals();
    for (int i = 0; i < RecentAnswers.CAPACITY; i++) {
      signals.noteAnswer(answer(0), 12, 1, i * 500 * MS);
    }
    assertThat(signals.lengthBound()).isTrue();
    assertThat(signals.interceptFloorNanos()).as("the fixed part: 100 ms").isLessThan(400 * MS);

    // The first window fitted comes at full load, 2 s queued: read as a wait, not as the floor.
    AnswerFit queued = AnswerFitTest.fit(16, 100 * MS, 30 * MS, 2_000 * MS, 0);
    double gradient = signals.queueGradient(queued, 20_000 * MS);

    assertThat(gradient).isLessThan(1 / (1 + DecreaseRules.PER_TOKEN_TOLERANCE));
    assertThat(signals.interceptFloorNanos()).isLessThan(400 * MS);
  }

  private LatencySample answer(long wait) {
    int tokens = 1 + random.nextInt(512);
    return LatencySample.perToken(wait + 100 * MS + 30 * MS * tokens + random.nextLong(50 * MS), tokens);
  }
}
