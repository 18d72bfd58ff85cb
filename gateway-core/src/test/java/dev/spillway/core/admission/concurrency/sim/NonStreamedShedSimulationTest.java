package dev.spillway.core.admission.concurrency.sim;

import static dev.spillway.core.admission.concurrency.sim.Simulation.MS;
import static dev.spillway.core.admission.concurrency.sim.Simulation.SECOND;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.WaitingRoomConfig;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Only non-streamed answers, so the door never learns a first token's time and a newcomer without a free
 * place waits in the room; under overload the room serves its freshest waiter first. Every waiter pushed
 * below what the next departures take used to wait out CoDel's short wait (100 ms) before it was shed: shed
 * p99 at 2x / 5x / 10x of 101 / 61 / 28 ms on 64 slots of 45–55 ms. Then the room kept only as many as the
 * backend frees at once and a newcomer pushed out the oldest, who left after a few fresher arrivals (5.1 /
 * 2.2 / 1.1 ms). Now a full room refuses the newcomer at once, and those waiting are served within the
 * departures it holds.
 */
class NonStreamedShedSimulationTest {
  static final int SLOTS = 64;
  static final long END = 40 * SECOND;
  static final long STEADY_FROM = 10 * SECOND;

  @ParameterizedTest(name = "±{0}, {1}x: shed p99 <= {2} ms")
  @CsvSource({"0.1, 2, 2", "0.1, 5, 2", "0.1, 10, 2", "0.5, 2, 2", "0.5, 5, 2", "0.5, 10, 2"})
  void shedsWithinAFewArrivalsAndAdmittedAnswersStayNearUnloaded(double jitter, double load, double shedP99Ms) {
    double capacity = SLOTS * (double) SECOND / (50 * MS);
    SimStats unloaded = run(jitter, 0.05, capacity);
    SimStats s = run(jitter, load, capacity);
    System.out.printf("non-streamed ±%.1f %.0fx %s unloaded p99=%.1fms%n", jitter, load, s,
        unloaded.p99LatencyNanos() / 1e6);

    assertThat(s.p99ShedNanos() / 1e6).as("shed p99 %s", s).isLessThanOrEqualTo(shedP99Ms);
    assertThat(s.completedPerSecond()).as("goodput %s", s).isGreaterThanOrEqualTo(0.95 * capacity);
    assertThat(s.p99LatencyNanos()).as("admitted p99 %s vs unloaded %s", s, unloaded)
        .isLessThanOrEqualTo(1.3 * unloaded.p99LatencyNanos());
  }

  private static SimStats run(double jitter, double load, double capacity) {
    FixedSlotsBackend backend = new FixedSlotsBackend(SLOTS, 50 * MS, 1024, jitter);
    Simulation sim = new Simulation(ConcurrencyConfig.adaptive(ConcurrencyConfig.DEFAULT_LIMIT),
        WaitingRoomConfig.DEFAULTS, backend);
    sim.poisson(new Random(7), 0, END, t -> load * capacity, (random, at) -> new SimRequest(at, false, 100, 50));
    sim.run(END + 20 * SECOND);
    return SimStats.of(sim, STEADY_FROM, END, SLOTS);
  }
}
