package dev.spillway.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.bench.load.LoadResult;
import dev.spillway.bench.load.LoadResult.Record;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The spike's recovery judge: sheds, queues that do not empty, and TTFT where the rate allows a p99. */
class SpikeRecoveryTest {
  private static final long MS = 1_000_000L;
  private static final long S = 1_000_000_000L;

  private static List<MetricsScraper.Sample> quarterSeconds(double... values) {
    return java.util.stream.IntStream.range(0, values.length)
        .mapToObj(i -> new MetricsScraper.Sample(i * 0.25, values[i])).toList();
  }

  private static SpikeRecovery.Queue none(int bins) {
    return new SpikeRecovery.Queue("none", new double[bins], 0);
  }

  @Test
  void recoveryIsTheFirstCalmSecondAfterWhichAllAreCalm() {
    double[] refused = {0, 0, 9, 9, 1, 0, 0, 0};
    double[] p99 = {10, 10, 500, 500, 300, 40, 12, 11};
    // Spike over at bin 4; bin 4 sheds, bin 5 has p99 40 > 1.5 × 10; calm from bin 6: 2 s after the spike.
    assertThat(SpikeRecovery.seconds(refused, p99, 15, List.of(none(8)), 4, 8)).isEqualTo(2);
    // A slow last second: never recovered.
    assertThat(SpikeRecovery.seconds(refused, new double[] {10, 10, 500, 500, 300, 40, 12, 99}, 15, List.of(), 4, 8))
        .isEqualTo(-1);
    // A late shed holds recovery back to the second after it.
    assertThat(SpikeRecovery.seconds(new double[] {0, 0, 9, 9, 0, 0, 1, 0}, p99, 15, List.of(), 4, 8)).isEqualTo(3);
  }

  @Test
  void aQueueThatNeverEmptiesHoldsRecoveryBackEvenWithoutSheds() {
    double[] refused = new double[8];
    // The engine's queue: least value per second 0 before the spike, 6, 4, 2 after it, then empty.
    SpikeRecovery.Queue engine = new SpikeRecovery.Queue("engine waiting", new double[] {0, 0, 9, 9, 6, 4, 2, 0}, 0);
    assertThat(SpikeRecovery.seconds(refused, null, Double.NaN, List.of(engine), 4, 8)).isEqualTo(3);
    SpikeRecovery.Queue stuck = new SpikeRecovery.Queue("engine waiting", new double[] {0, 0, 9, 9, 6, 4, 2, 1}, 0);
    assertThat(SpikeRecovery.seconds(refused, null, Double.NaN, List.of(stuck), 4, 8)).isEqualTo(-1);
    // At the pre-spike level is calm: a backend that always queued a little is not held to an empty queue.
    SpikeRecovery.Queue usual = new SpikeRecovery.Queue("engine waiting", new double[] {1, 1, 9, 9, 1, 1, 1, 1}, 1);
    assertThat(SpikeRecovery.seconds(refused, null, Double.NaN, List.of(usual), 4, 8)).isEqualTo(0);
  }

  @Test
  void aQueueThatDrainsWithinTheSecondIsNotABacklog() {
    // Second 0: 0,2,0,1 (step boundaries: least 0). Second 1: 3,4,3,5 (never empty: least 3).
    // Second 2: no sample at all: the last value seen (5) stands. Second 3: 0.
    List<MetricsScraper.Sample> samples = new ArrayList<>(quarterSeconds(0, 2, 0, 1, 3, 4, 3, 5));
    samples.add(new MetricsScraper.Sample(3.1, 0));
    assertThat(SpikeRecovery.perSecondMin(samples, 4)).containsExactly(0, 3, 5, 0);
    assertThat(SpikeRecovery.perSecondMin(List.of(new MetricsScraper.Sample(1.5, 2)), 3))
        .containsExactly(Double.NaN, 2, 2);
    // The pre-spike level is the most of the per-second least values from the second second on.
    SpikeRecovery.Queue q = SpikeRecovery.queue("q", quarterSeconds(7, 7, 7, 7, 1, 0, 1, 1, 2, 2, 2, 2, 9, 9), 3, 4);
    assertThat(q.preSpike()).isEqualTo(2);
  }

  private static Record ok(double intendedS, double ttftMs, boolean stream) {
    long intended = (long) (intendedS * S);
    return new Record(intended, intended + (long) (ttftMs * MS) + 10 * MS, 200, stream,
        intended + (long) (ttftMs * MS), 16, 0);
  }

  /** A 6 s run (2 before, 2 spike, 2 after), {@code perSecond} requests a second. */
  private static UnknownCapacityResults.Traced spikeRun(int perSecond, double slowAt, List<MetricsScraper.Sample> wait) {
    List<Record> records = new ArrayList<>();
    for (int sec = 0; sec < 6; sec++) {
      for (int i = 0; i < perSecond; i++) {
        double t = sec + (double) i / perSecond;
        boolean spike = sec == 2 || sec == 3;
        if (spike && i % 2 == 0) {
          records.add(new Record((long) (t * S), (long) (t * S) + MS, 503, false, -1, 0, 0));
        } else {
          records.add(ok(t, Math.abs(t - slowAt) < 1e-9 ? 900 : 100, i % 5 != 0));
        }
      }
    }
    EngineTrace engine = wait == null ? EngineTrace.NONE : new EngineTrace(wait, wait, wait);
    return new UnknownCapacityResults.Traced("t", new RunStats(records, 0, 6), List.of(), List.of(), null, Map.of(),
        List.of(engine));
  }

  @Test
  void atHighRatesTheTtftOfEverySecondIsJudged() {
    // 100 req/s; one 900 ms answer in second 5 (the last) against a pre-spike p99 of 100 ms: never recovered.
    UnknownCapacityResults.Traced slowLate = spikeRun(100, 5.0, null);
    SpikeRecovery.Result r = SpikeRecovery.judge(slowLate, new int[] {2, 2, 2}, 100);
    assertThat(r.ttftJudged()).isTrue();
    assertThat(r.preSpikeTtftMs()).isEqualTo(100);
    assertThat(r.seconds()).isEqualTo(-1);
    // The same run with the slow answer in second 4: 1 s.
    assertThat(SpikeRecovery.judge(spikeRun(100, 4.0, null), new int[] {2, 2, 2}, 100).seconds()).isEqualTo(1);
    assertThat(SpikeRecovery.judge(spikeRun(100, -1, null), new int[] {2, 2, 2}, 100).seconds()).isZero();
  }

  @Test
  void atLowRatesTheEnginesQueueStandsInForAHandfulOfTtfts() {
    // 4 req/s: a p99 of 4 answers is not judged; the one slow answer does not count.
    assertThat(SpikeRecovery.judge(spikeRun(4, 5.0, null), new int[] {2, 2, 2}, 4).seconds()).isZero();
    // But an engine queue that never empties in second 4 does: recovered only at second 5.
    List<MetricsScraper.Sample> wait = quarterSeconds(0, 0, 0, 0, 0, 1, 0, 0, 5, 5, 5, 5, 5, 5, 5, 5, 3, 2, 2, 1, 0,
        1, 0, 0);
    SpikeRecovery.Result r = SpikeRecovery.judge(spikeRun(4, -1, wait), new int[] {2, 2, 2}, 4);
    assertThat(r.ttftJudged()).isFalse();
    assertThat(r.queues()).extracting(SpikeRecovery.Queue::name).containsExactly("engine waiting");
    assertThat(r.seconds()).isEqualTo(1);
  }

  @Test
  void shedAndFailedAnswersCountButAbandonedOnesDoNot() {
    RunStats s = new RunStats(List.of(new Record(0, 100 * MS, 503, false, -1, 0, 0),
        new Record(0, 1_100 * MS, 500, false, -1, 0, 0), new Record(0, 1_200 * MS, LoadResult.ABANDONED, true, -1, 0, 0),
        new Record(0, 1_300 * MS, 200, true, 10 * MS, 3, 0)), 0, 2);
    assertThat(SpikeRecovery.refusedBins(s, 2)).containsExactly(1, 1);
  }
}
