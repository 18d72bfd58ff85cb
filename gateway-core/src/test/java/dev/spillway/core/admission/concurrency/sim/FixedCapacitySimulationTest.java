package dev.spillway.core.admission.concurrency.sim;

import static dev.spillway.core.admission.concurrency.sim.Simulation.MS;
import static dev.spillway.core.admission.concurrency.sim.Simulation.SECOND;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.WaitingRoomConfig;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The default adaptive limit ({@code concurrency: {mode: adaptive}}) in front of a backend of 64 slots x 50 ms
 * with a 1,024-deep queue of its own (capacity 1,280 req/s), under open-loop Poisson load: it must find the
 * best static limit (64) and hold it, so admitted requests do not wait in the backend's queue.
 */
class FixedCapacitySimulationTest {
  static final int SLOTS = 64;
  static final long SERVICE = 50 * MS;
  static final double CAPACITY = SLOTS * (double) SECOND / SERVICE;
  static final long END = 40 * SECOND;
  static final long STEADY_FROM = 10 * SECOND;

  @ParameterizedTest(name = "{0}x capacity")
  @ValueSource(doubles = {0.5, 1, 2, 5, 10})
  void defaultAdaptiveLimitHoldsLatencyAndGoodput(double load) {
    SimStats unloaded = run(ConcurrencyConfig.adaptive(ConcurrencyConfig.DEFAULT_LIMIT), 0.05, 1);
    SimStats s = run(ConcurrencyConfig.adaptive(ConcurrencyConfig.DEFAULT_LIMIT), load, 7);
    System.out.printf("fixed64 load=%.1fx %s unloadedP99=%.1fms goodput=%.3f%n", load, s,
        unloaded.p99LatencyNanos() / 1e6, s.completedPerSecond() / Math.min(load * CAPACITY, CAPACITY));

    assertThat(s.completedPerSecond()).as("goodput %s", s).isGreaterThanOrEqualTo(0.95 * Math.min(load, 1) * CAPACITY);
    if (load != 1) {
      // At exactly 1x some queueing is inherent (a fully loaded server), so only goodput is judged there.
      assertThat(s.p99LatencyNanos()).as("admitted p99 %s vs unloaded p99 %s", s, unloaded)
          .isLessThanOrEqualTo(1.5 * unloaded.p99LatencyNanos());
    }
    if (load >= 2) {
      assertThat(s.meanLimit()).as("mean limit").isBetween(0.9 * SLOTS, 1.1 * SLOTS);
      assertThat(s.convergedAtSeconds()).as("converged within 10 s").isBetween(0.0, 10.0);
    }
  }

  static SimStats run(ConcurrencyConfig config, double load, long seed) {
    FixedSlotsBackend backend = new FixedSlotsBackend(SLOTS, SERVICE, 1024);
    Simulation sim = new Simulation(config, WaitingRoomConfig.DEFAULTS, backend);
    sim.poisson(new Random(seed), 0, END, t -> load * CAPACITY,
        (random, at) -> new SimRequest(at, false, 100, 50));
    sim.run(END + 20 * SECOND);
    return SimStats.of(sim, STEADY_FROM, END, SLOTS);
  }
}
