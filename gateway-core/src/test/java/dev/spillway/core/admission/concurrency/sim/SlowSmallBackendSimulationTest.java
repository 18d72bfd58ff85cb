package dev.spillway.core.admission.concurrency.sim;

import static dev.spillway.core.admission.concurrency.sim.Simulation.MS;
import static dev.spillway.core.admission.concurrency.sim.Simulation.SECOND;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.WaitingRoomConfig;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Backends of a few places, each answer taking seconds (a self-hosted model serving four requests at a time,
 * or one), at 3x their capacity with the default adaptive limit ({@code concurrency: {mode: adaptive}}, so
 * starting at 64): each window there lasts seconds, a backend's own queue builds for many of them before a
 * sample says so, and places free less often than CoDel's interval.
 */
class SlowSmallBackendSimulationTest {
  static final long END = 120 * SECOND;
  static final long STEADY_FROM = 30 * SECOND;

  /**
   * Half streamed. A window that waited 26 s for samples while the backend drained (after a cut below what
   * was in flight) used to grow the limit by one step per second of it, 4 to 30 at once: the backend queued
   * again, and first tokens took up to 20 s (p99) where a place serves one in 60 ms.
   */
  @Test
  void fourPlacesOfThreeSecondsKeepFirstTokensFromTheBackendsQueue() {
    Simulation sim = run(new FixedSlotsBackend(4, 3 * SECOND, 512), 4, true);
    SimStats s = SimStats.of(sim, STEADY_FROM, END, 4);
    System.out.printf("4x3s streams %s%n", s);
    assertThat(s.maxLimit()).as("%s", s).isLessThanOrEqualTo(12);
    assertThat(s.p99FirstTokenNanos()).as("%s", s).isLessThanOrEqualTo(5.0 * SECOND);
  }

  /**
   * Non-streamed. A place frees every 750 ms, longer than CoDel's interval (500 ms), so between two
   * departures the room looked quiet and each newcomer to an empty room ended the overload: waiters waited out
   * {@code maxWait} (10 s) to be shed, and admitted answers took 11 s (p99) for 3 s of work.
   */
  @Test
  void fourPlacesOfThreeSecondsShedWaitersSoonUnderOverload() {
    Simulation sim = run(new FixedSlotsBackend(4, 3 * SECOND, 512), 4, false);
    SimStats s = SimStats.of(sim, STEADY_FROM, END, 4);
    System.out.printf("4x3s answers %s%n", s);
    assertThat(s.p99ShedNanos()).as("%s", s).isLessThanOrEqualTo(3.0 * SECOND);
    assertThat(s.p99LatencyNanos()).as("%s", s).isLessThanOrEqualTo(8.0 * SECOND);
    // From 60 s: until about 50 s the backend still serves the queue it took in at the start.
    SimStats late = SimStats.of(sim, 60 * SECOND, END, 4);
    assertThat(late.completedPerSecond()).as("%s", late).isGreaterThanOrEqualTo(0.9 * 4 / 3.0);
  }

  /**
   * Non-streamed, one place of 1 s. The start (1 s) ends before any answer, so the time per token had no
   * baseline until the first window's answers, which had queued for seconds: read as the backend's pace, they
   * kept the limit at 64 for 25 s while the backend's own queue grew to 58, and from 30 s on it served 0.4
   * answers a second of 1 (it was still draining that queue). The start's own answers now seed the baseline.
   */
  @Test
  void onePlaceOfOneSecondComesDownBeforeItsQueueIsDeep() {
    Simulation sim = run(new FixedSlotsBackend(1, SECOND, 100), 3, false);
    SimStats s = SimStats.of(sim, STEADY_FROM, END, 1);
    int cutAt = -1;
    for (int i = 0; i < sim.limitTrace.size(); i++) {
      if (i * Simulation.TRACE_STEP_MS > 2000 && sim.limitTrace.get(i) <= 8) {
        cutAt = i * Simulation.TRACE_STEP_MS;
        break;
      }
    }
    int deepest = sim.inFlightTrace.stream().mapToInt(Integer::intValue).max().orElse(0);
    System.out.printf("1x1s answers cut at %d ms, most in flight %d, %s%n", cutAt, deepest, s);
    assertThat(cutAt).as("%s", s).isBetween(0, 15_000);
    assertThat(deepest).as("%s", s).isLessThanOrEqualTo(40);
    assertThat(s.completedPerSecond()).as("%s", s).isGreaterThanOrEqualTo(0.85);
  }

  private static Simulation run(FixedSlotsBackend backend, double rate, boolean halfStreamed) {
    Simulation sim = new Simulation(ConcurrencyConfig.adaptive(ConcurrencyConfig.DEFAULT_LIMIT),
        WaitingRoomConfig.DEFAULTS, backend);
    sim.poisson(new Random(7), 0, END, t -> rate,
        (random, at) -> new SimRequest(at, halfStreamed && random.nextBoolean(), 100, 50));
    sim.run(END);
    return sim;
  }
}
