package dev.spillway.core.admission.concurrency.sim;

import static dev.spillway.core.admission.concurrency.sim.Simulation.MS;
import static dev.spillway.core.admission.concurrency.sim.Simulation.SECOND;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.WaitingRoomConfig;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The unknown-capacity benchmark's fixed mock on fake time: 64 slots x 500 ms with a 1,024-deep queue of its
 * own (128 req/s), half the requests streamed (16 answer tokens: the first one 31 ms after the start), under
 * the default {@code concurrency: {mode: adaptive}} and the default waiting room. The limit follows the
 * first-token signal here, as it does once a backend has served streams. Each run prints the stream TTFT
 * and shed latency percentiles the benchmark judges.
 */
class StreamMixSimulationTest {
  static final int SLOTS = 64;
  static final long SERVICE = 500 * MS;
  static final double CAPACITY = SLOTS * (double) SECOND / SERVICE;
  static final long END = 40 * SECOND;
  static final long STEADY_FROM = 10 * SECOND;

  @ParameterizedTest(name = "{0}x capacity")
  @ValueSource(doubles = {2, 5, 10})
  void overloadKeepsGoodput(double load) {
    SimStats unloaded = run(0.5, 1);
    SimStats s = run(load, 7);
    System.out.printf("stream mix %.0fx %s (unloaded %s)%n", load, s, unloaded);

    assertThat(s.completedPerSecond()).as("goodput %s", s).isGreaterThanOrEqualTo(0.95 * CAPACITY);
  }

  @Test
  void noShedsAtHalfCapacity() {
    SimStats s = run(0.5, 3);
    assertThat(s.shed()).as("%s", s).isZero();
  }

  static SimStats run(double load, long seed) {
    FixedSlotsBackend backend = new FixedSlotsBackend(SLOTS, SERVICE, 1024);
    Simulation sim = new Simulation(ConcurrencyConfig.adaptive(ConcurrencyConfig.DEFAULT_LIMIT),
        WaitingRoomConfig.DEFAULTS, backend);
    sim.poisson(new Random(seed), 0, END, t -> load * CAPACITY,
        (random, at) -> new SimRequest(at, random.nextBoolean(), 100, 16));
    sim.run(END + 20 * SECOND);
    return SimStats.of(sim, STEADY_FROM, END, SLOTS);
  }
}
