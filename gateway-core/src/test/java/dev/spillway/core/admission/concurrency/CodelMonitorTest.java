package dev.spillway.core.admission.concurrency;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CodelMonitorTest {
  static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  /** Target 50 ms, interval 500 ms: sojourns above target for an interval. */
  private static CodelMonitor overloaded() {
    CodelMonitor codel = new CodelMonitor(50 * MS, 500 * MS);
    codel.onSojourn(100 * MS, 0);
    codel.onSojourn(100 * MS, 600 * MS);
    assertThat(codel.overloaded()).isTrue();
    return codel;
  }

  @Test
  void aQuietIntervalEndsTheOverloadOnAFastBackend() {
    CodelMonitor codel = overloaded();
    codel.onEmptyRoom(1_000 * MS, 10 * MS);
    assertThat(codel.overloaded()).as("400 ms since the last departure").isTrue();
    codel.onEmptyRoom(1_100 * MS, 10 * MS);
    assertThat(codel.overloaded()).as("500 ms since the last departure").isFalse();
  }

  /** A place freeing every 750 ms leaves 500 ms without a departure in any overload. */
  @Test
  void quietMeansTwoDeparturesMissedOnASlowBackend() {
    CodelMonitor codel = overloaded();
    codel.onEmptyRoom(1_300 * MS, 750 * MS);
    assertThat(codel.overloaded()).as("700 ms since the last departure").isTrue();
    codel.onTurnedAway(1_300 * MS);
    codel.onEmptyRoom(2_700 * MS, 750 * MS);
    assertThat(codel.overloaded()).as("1,400 ms since a newcomer was turned away").isTrue();
    codel.onEmptyRoom(2_800 * MS, 750 * MS);
    assertThat(codel.overloaded()).as("1,500 ms: two departures missed").isFalse();
  }

  @Test
  void anUnknownDepartureRateKeepsTheInterval() {
    CodelMonitor codel = overloaded();
    codel.onEmptyRoom(1_100 * MS, 0);
    assertThat(codel.overloaded()).isFalse();
  }
}
