package dev.spillway.core.admission.concurrency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.admission.concurrency.LatencySample.Signal;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Whether the latest answers' time follows their length, and how long that verdict holds. */
class RecentAnswersTest {
  static final long MS = 1_000_000;
  final SplittableRandom random = new SplittableRandom(11);

  @Test
  void undecidedUntilAFullRingOfDifferentLengthsThenLengthBound() {
    RecentAnswers answers = new RecentAnswers();
    answers.add(LatencySample.perToken(1_000 * MS, 10), 8, 1);
    assertThat(answers.decided()).as("one length so far").isTrue();
    for (int i = 1; i < RecentAnswers.CAPACITY - 1; i++) {
      answers.add(answer(30 * MS, 0), 8, 1);
      assertThat(answers.decided()).as("answer %d", i).isFalse();
    }
    answers.add(answer(30 * MS, 0), 8, 1);

    assertThat(answers.decided()).isTrue();
    assertThat(answers.lengthBound()).isTrue();
  }

  @Test
  void answersOfOneLengthAreDecidedAtOnceAndNotLengthBound() {
    RecentAnswers answers = new RecentAnswers();
    answers.add(LatencySample.perToken(500 * MS, 50), 8, 1);

    assertThat(answers.decided()).isTrue();
    assertThat(answers.lengthBound()).isFalse();
  }

  @Test
  void aQueueBuildingUpBlursTheSlopeButKeepsTheVerdict() {
    RecentAnswers answers = new RecentAnswers();
    for (int i = 0; i < RecentAnswers.CAPACITY; i++) {
      answers.add(answer(30 * MS, 0), 8, 1);
    }
    // Waits from 0 to 30 s and straying by 10 s: the lengths explain little of the times now.
    for (int i = 0; i < RecentAnswers.CAPACITY; i++) {
      answers.add(answer(20 * MS, i * 30_000 * MS / RecentAnswers.CAPACITY + random.nextLong(10_000 * MS)), 64, 2);
    }
    assertThat(answers.fitSince(2).lengthBound()).as("the blurred fit alone").isFalse();

    assertThat(answers.lengthBound()).isTrue();
  }

  @Test
  void aFixedServiceTimeOverturnsTheVerdict() {
    RecentAnswers answers = new RecentAnswers();
    for (int i = 0; i < RecentAnswers.CAPACITY; i++) {
      answers.add(answer(30 * MS, 0), 8, 1);
    }
    for (int i = 0; i < RecentAnswers.CAPACITY; i++) {
      answers.add(LatencySample.perToken(450 * MS + random.nextLong(100 * MS), 1 + random.nextInt(512)), 8, 2);
    }

    assertThat(answers.lengthBound()).isFalse();
    assertThat(answers.decided()).isTrue();
  }

  @Test
  void samplesAdmittedSinceAWindowAreFittedWithTheirConcurrency() {
    RecentAnswers answers = new RecentAnswers();
    for (int i = 0; i < 16; i++) {
      answers.add(answer(30 * MS, 0), 4, 0);
    }
    for (int i = 0; i < 16; i++) {
      answers.add(answer(30 * MS, 2_000 * MS), 40 + i % 2, 3);
    }

    assertThat(answers.fitSince(3).interceptNanos()).isGreaterThan(1_500.0 * MS);
    assertThat(answers.meanInFlightSince(3)).isEqualTo(40.5);
    assertThat(answers.maxInFlightSince(3)).isEqualTo(41);
    assertThat(answers.fitSince(4)).isNull();
    assertThat(new LatencySample(Signal.PER_TOKEN, 1).answerTokens()).as("no length: not kept").isZero();
  }

  private LatencySample answer(long perToken, long wait) {
    int tokens = 1 + random.nextInt(512);
    return LatencySample.perToken(wait + 50 * MS + perToken * tokens, tokens);
  }
}
