package dev.spillway.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArrivalsTest {
  /** Mean and coefficient of variation of the gaps between intended starts. */
  private static double[] gapStats(Schedule s) {
    int n = (int) s.count() - 1;
    double sum = 0;
    double sumSq = 0;
    for (int i = 0; i < n; i++) {
      double gap = s.offsetNanos(i + 1) - s.offsetNanos(i);
      sum += gap;
      sumSq += gap * gap;
    }
    double mean = sum / n;
    double sd = Math.sqrt(sumSq / n - mean * mean);
    return new double[] {mean, sd / mean};
  }

  @Test
  void poissonKeepsTheRateWithGapsAsVariableAsTheirMean() {
    Schedule s = Schedule.constant(1000, Duration.ofSeconds(200), Arrivals.poisson(1));
    assertThat(s.count()).isBetween(198_000L, 202_000L);
    double[] stats = gapStats(s);
    assertThat(stats[0]).isBetween(0.98e6, 1.02e6);
    assertThat(stats[1]).isBetween(0.97, 1.03);
  }

  @Test
  void burstyKeepsTheRateWithGapsThreeTimesAsVariable() {
    Schedule s = Schedule.constant(1000, Duration.ofSeconds(500), Arrivals.bursty(3, 2));
    assertThat(s.count()).isBetween(485_000L, 515_000L);
    double[] stats = gapStats(s);
    assertThat(stats[0]).isBetween(0.97e6, 1.03e6);
    assertThat(stats[1]).isBetween(2.8, 3.2);
  }

  @Test
  void theSameSeedGivesTheSameStartsAndAnotherSeedOthers() {
    Schedule a = Schedule.constant(100, Duration.ofSeconds(5), Arrivals.poisson(7));
    Schedule b = Schedule.constant(100, Duration.ofSeconds(5), Arrivals.poisson(7));
    Schedule c = Schedule.constant(100, Duration.ofSeconds(5), Arrivals.poisson(8));
    assertThat(a.count()).isEqualTo(b.count());
    for (long i = 0; i < a.count(); i++) {
      assertThat(a.offsetNanos(i)).isEqualTo(b.offsetNanos(i));
    }
    assertThat(c.offsetNanos(0)).isNotEqualTo(a.offsetNanos(0));
  }

  @Test
  void randomStartsRiseAndStayInsideTheirPhase() {
    List<Schedule.Phase> phases = List.of(new Schedule.Phase(50, Duration.ofSeconds(2)),
        new Schedule.Phase(500, Duration.ofSeconds(1)), new Schedule.Phase(50, Duration.ofSeconds(2)));
    Schedule s = Schedule.of(phases, Arrivals.bursty(3, 3));
    long previous = -1;
    int[] perPhase = new int[3];
    for (long i = 0; i < s.count(); i++) {
      long offset = s.offsetNanos(i);
      int k = s.phaseOf(i);
      perPhase[k]++;
      assertThat(offset).isGreaterThanOrEqualTo(previous).isGreaterThanOrEqualTo(s.phaseStartNanos(k))
          .isLessThan(s.phaseStartNanos(k) + phases.get(k).duration().toNanos());
      previous = offset;
    }
    assertThat(perPhase[1]).isGreaterThan(perPhase[0]).isGreaterThan(perPhase[2]);
  }

  @Test
  void rejectsACoefficientOfVariationBelowOne() {
    assertThatThrownBy(() -> Arrivals.bursty(0.5, 1)).hasMessage("cv: 0.5 (expected: 1..100)");
  }
}
