package dev.spillway.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ScheduleTest {
  @Test
  void constantRateSpacesIntendedStartsEvenly() {
    Schedule s = Schedule.constant(1000, Duration.ofSeconds(2));
    assertThat(s.count()).isEqualTo(2000);
    assertThat(s.offsetNanos(0)).isZero();
    assertThat(s.offsetNanos(1)).isEqualTo(1_000_000);
    assertThat(s.offsetNanos(1999)).isEqualTo(1_999_000_000L);
    assertThat(s.durationNanos()).isEqualTo(2_000_000_000L);
  }

  @Test
  void offsetsDoNotDriftWithRatesThatDoNotDivideASecond() {
    Schedule s = Schedule.constant(3, Duration.ofSeconds(1_000_000));
    // 1e9/3 is not whole: an accumulated period would be off by ~1 ms after 3 million requests.
    assertThat(s.offsetNanos(2_999_999)).isEqualTo(999_999_666_666_667L);
  }

  @Test
  void phasesFollowEachOther() {
    Schedule s = Schedule.of(List.of(new Schedule.Phase(10, Duration.ofSeconds(1)),
        new Schedule.Phase(100, Duration.ofSeconds(1)), new Schedule.Phase(10, Duration.ofSeconds(2))));
    assertThat(s.count()).isEqualTo(10 + 100 + 20);
    assertThat(s.offsetNanos(9)).isEqualTo(900_000_000L);
    assertThat(s.offsetNanos(10)).isEqualTo(1_000_000_000L);
    assertThat(s.offsetNanos(11)).isEqualTo(1_010_000_000L);
    assertThat(s.offsetNanos(110)).isEqualTo(2_000_000_000L);
    assertThat(s.phaseOf(109)).isEqualTo(1);
    assertThat(s.phaseStartNanos(2)).isEqualTo(2_000_000_000L);
    assertThat(s.durationNanos()).isEqualTo(4_000_000_000L);
  }

  @Test
  void intendedStartsRiseMonotonicallyAndStayInsideTheirPhase() {
    Random random = new Random(42);
    for (int iteration = 0; iteration < 200; iteration++) {
      int phases = 1 + random.nextInt(4);
      List<Schedule.Phase> list = new java.util.ArrayList<>();
      for (int k = 0; k < phases; k++) {
        list.add(new Schedule.Phase(0.5 + random.nextDouble() * 500, Duration.ofMillis(100 + random.nextInt(3000))));
      }
      Schedule s = Schedule.of(list);
      long previous = -1;
      for (long i = 0; i < s.count(); i++) {
        long offset = s.offsetNanos(i);
        int k = s.phaseOf(i);
        assertThat(offset).isGreaterThan(previous).isGreaterThanOrEqualTo(s.phaseStartNanos(k))
            .isLessThan(s.phaseStartNanos(k) + list.get(k).duration().toNanos());
        previous = offset;
      }
    }
  }

  @Test
  void rejectsNonsense() {
    assertThatThrownBy(() -> Schedule.constant(0, Duration.ofSeconds(1)))
        .hasMessage("ratePerSecond: 0.0 (expected: > 0 and finite)");
    assertThatThrownBy(() -> Schedule.constant(10, Duration.ZERO)).hasMessageStartingWith("duration: PT0S");
    assertThatThrownBy(() -> Schedule.constant(1e9, Duration.ofSeconds(1))).hasMessageStartingWith("requests: ");
    assertThatThrownBy(() -> Schedule.constant(1, Duration.ofSeconds(1)).offsetNanos(1))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }
}
