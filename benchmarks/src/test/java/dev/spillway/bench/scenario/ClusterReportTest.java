package dev.spillway.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.bench.load.LoadResult;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The cluster report cuts a run into minutes and bounds each by the limit, a full bucket first, and the leases. */
class ClusterReportTest {

  @Test
  void minutesAreBoundedByTheirRefillTheFirstAlsoByTheFullBucket() {
    // 12 admitted a second for 120 s, and 30 late answers completing after the run.
    LoadResult result = admitted(new int[] {12}, 120, 30);
    List<ClusterReport.Window> windows = ClusterReport.windows(result, 120, 600, 90, 1);

    assertThat(windows).extracting(ClusterReport.Window::admitted).containsExactly(720L, 750L, 1470L);
    assertThat(windows).extracting(ClusterReport.Window::bound).containsExactly(600L + 600 + 90, 600L + 90,
        600L + 1200 + 90);
    assertThat(windows).extracting(ClusterReport.Window::within).containsExactly(true, false, true);
  }

  @Test
  void aShortRunIsOneWindowInTheLimitsUnit() {
    LoadResult result = admitted(new int[] {30}, 6, 0);
    List<ClusterReport.Window> windows = ClusterReport.windows(result, 6, 60_000, 9_000, 100);

    assertThat(windows).singleElement().satisfies(w -> {
      assertThat(w.admitted()).isEqualTo(180 * 100L);
      assertThat(w.bound()).isEqualTo(60_000 + 6_000 + 9_000);
    });
  }

  /** {@code perSecond[0]} 200s completing in each of the first {@code seconds} seconds, then {@code late} more. */
  private static LoadResult admitted(int[] perSecond, int seconds, int late) {
    LoadResult r = new LoadResult(0, seconds + 10, TimeUnit.SECONDS.toNanos(1));
    for (int s = 0; s < seconds; s++) {
      for (int i = 0; i < perSecond[0]; i++) {
        long end = TimeUnit.SECONDS.toNanos(s) + 1000L * i;
        r.response(end - 1000, end, 200, -1, 0);
      }
    }
    for (int i = 0; i < late; i++) {
      long end = TimeUnit.SECONDS.toNanos(seconds) + TimeUnit.MILLISECONDS.toNanos(300);
      r.response(end - 1000, end, 200, -1, 0);
    }
    return r;
  }
}
