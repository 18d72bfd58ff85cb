package dev.spillway.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.time.FakeTicker;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadResultTest {
  private static final long MS = 1_000_000L;
  private final long origin = new FakeTicker().nanoTime();

  @Test
  void countsEveryOutcome() {
    LoadResult r = new LoadResult(origin, 5, 100 * MS);
    r.response(origin, origin + 20 * MS, 200, origin + 5 * MS, 10 * MS);
    r.response(origin, origin + 1 * MS, 503, -1, 0);
    r.response(origin, origin + 1 * MS, 429, -1, 0);
    r.response(origin + 1500 * MS, origin + 1600 * MS, 502, -1, 0);
    r.timeout(origin + 2500 * MS);
    r.connectError(origin);
    r.ioError(origin);
    r.clientLimited(origin);
    assertThat(r.okCount()).isEqualTo(1);
    assertThat(r.shedCount()).isEqualTo(2);
    assertThat(r.errorCount()).isEqualTo(5);
    assertThat(r.finishedCount()).isEqualTo(8);
    assertThat(r.statusCounts()).isEqualTo(Map.of(200, 1L, 429, 1L, 502, 1L, 503, 1L));
    assertThat(r.timeToFirstToken().getMaxValue()).isBetween(4_990L, 5_010L);
    assertThat(r.errorsInBin(0)).isEqualTo(3);
    assertThat(r.errorsInBin(1)).isEqualTo(1);
    assertThat(r.errorsInBin(2)).isEqualTo(1);
  }

  @Test
  void binsByCompletionAndIntendedStartAndCountsStalls() {
    LoadResult r = new LoadResult(origin, 3, 100 * MS);
    r.response(origin + 900 * MS, origin + 1200 * MS, 200, -1, 150 * MS);
    r.response(origin + 100 * MS, origin + 200 * MS, 200, -1, 50 * MS);
    assertThat(r.okInBin(0)).isEqualTo(1);
    assertThat(r.okInBin(1)).isEqualTo(1);
    assertThat(r.okPercentileInBin(0, 100)).isBetween(290_000L, 310_000L);
    assertThat(r.okPercentileInBin(2, 99)).isEqualTo(-1);
    assertThat(r.stalls()).isEqualTo(1);
    // Past the last bin lands in the last bin rather than failing.
    r.response(origin + 60_000 * MS, origin + 60_001 * MS, 200, -1, 0);
    assertThat(r.okInBin(2)).isEqualTo(1);
  }
}
