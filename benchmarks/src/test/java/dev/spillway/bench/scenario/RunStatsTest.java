package dev.spillway.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.bench.load.LoadResult;
import dev.spillway.bench.load.LoadResult.Record;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunStatsTest {
  private static final long MS = 1_000_000L;
  private static final long S = 1_000_000_000L;

  private static Record ok(long intended, long firstToken, long end, boolean stream, int tokens) {
    return new Record(intended, end, 200, stream, firstToken, tokens, 0);
  }

  @Test
  void countsByIntendedStartAndGoodputByCompletionInsideTheWindow() {
    List<Record> records = List.of(
        ok(100 * MS, 150 * MS, 900 * MS, true, 10),    // before the window, completes before it: nowhere
        ok(900 * MS, 950 * MS, 1_500 * MS, true, 20),  // intended before, completes inside: goodput only
        ok(1_200 * MS, 1_210 * MS, 1_800 * MS, false, 30),
        new Record(1_300 * MS, 1_301 * MS, 503, false, -1, 0, 0),
        ok(1_900 * MS, 1_950 * MS, 2_500 * MS, true, 40)); // intended inside, completes after: counted, no goodput
    RunStats s = new RunStats(records, 1, 2);
    assertThat(s.sent()).isEqualTo(3);
    assertThat(s.ok()).isEqualTo(2);
    assertThat(s.shed()).isEqualTo(1);
    assertThat(s.goodput()).isEqualTo(2.0);
    assertThat(s.tokenGoodput()).isEqualTo(50.0);
    assertThat(s.completedPerSecond(1, 2)).isEqualTo(2.0);
    assertThat(s.completedTokensPerSecond(1, 2)).isEqualTo(50.0);
    assertThat(s.shedMs(99)).isEqualTo(1.0);
  }

  @Test
  void shedAnswersSplitByStatedReasonAndFromWhenTheyWereSent() {
    List<Record> records = List.of(
        new Record(0, 3 * MS, 503, true, -1, 0, 0, 2 * MS, "queue_full"),
        new Record(0, 120 * MS, 503, true, -1, 0, 0, 0, "queue_timeout"),
        new Record(0, 5 * MS, 503, false, -1, 0, 0, 1 * MS, null),
        ok(0, 10 * MS, 20 * MS, true, 1));
    RunStats s = new RunStats(records, 0, 1);
    assertThat(s.shedSplit()).isEqualTo(
        "sheds -=1 (p99 5.00 ms) queue_full=1 (p99 3.00 ms) queue_timeout=1 (p99 120.00 ms), p99 from sent 120.00 ms");
  }

  @Test
  void aRequestStillWaitingForItsFirstTokenIsSlowerThanAnyMeasuredOne() {
    List<Record> records = new ArrayList<>();
    for (int i = 0; i < 98; i++) {
      records.add(ok(i * MS, i * MS + 10 * MS, i * MS + 50 * MS, true, 5));
    }
    // One abandoned after its first token (100 ms), one abandoned before any.
    records.add(new Record(0, 5 * S, LoadResult.ABANDONED, true, 100 * MS, 0, -1));
    records.add(new Record(0, 5 * S, LoadResult.ABANDONED, true, -1, 0, -1));
    RunStats s = new RunStats(records, 0, 1);
    assertThat(s.ttftMs(true, 50)).isEqualTo(10.0);
    assertThat(s.ttftMs(true, 99)).isEqualTo(100.0);
    assertThat(s.ttftMs(true, 100)).isInfinite();
    assertThat(s.ttftMs(false, 99)).isNaN();
    assertThat(s.abandoned()).isEqualTo(2);
    assertThat(s.errors()).isZero();
  }

  @Test
  void deliveredTokensCountStreamTokensWhenTheyArriveAndJsonTokensWhenTheyComplete() {
    LoadResult result = new LoadResult(0, 10, S, true);
    result.streamedTokens(500 * MS, 10);      // second 0: outside the window
    result.streamedTokens(1_500 * MS, 40);    // second 1: wholly inside
    result.streamedTokens(2_500 * MS, 20);    // second 2: half inside [1, 2.5)
    result.response(0, 2_000 * MS, 200, false, 1_900 * MS, 0, 30, 0); // non-streamed, completes inside
    result.response(0, 3_000 * MS, 200, false, 2_900 * MS, 0, 99, 0); // completes after the window
    RunStats s = new RunStats(result, 10).window(1, 2.5);
    assertThat(s.deliveredTokensPerSecond()).isEqualTo((40 + 10 + 30) / 1.5);
  }

  @Test
  void binsCountCompletionsAndShedsPerSecond() {
    List<Record> records = List.of(ok(0, 10 * MS, 500 * MS, true, 1), ok(0, 10 * MS, 1_500 * MS, true, 1),
        ok(0, 10 * MS, 1_600 * MS, true, 1), new Record(2 * S, 2 * S + MS, 429, true, -1, 0, 0));
    RunStats s = new RunStats(records, 0, 3);
    assertThat(s.goodputBins(3)).containsExactly(1, 2, 0);
    assertThat(s.shedBins(3)).containsExactly(0, 0, 1);
  }
}
