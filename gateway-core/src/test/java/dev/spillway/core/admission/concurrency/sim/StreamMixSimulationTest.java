package dev.spillway.core.admission.concurrency.sim;

import static dev.spillway.core.admission.concurrency.sim.Simulation.MS;
import static dev.spillway.core.admission.concurrency.sim.Simulation.SECOND;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.ConcurrencyConfig.Mode;
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

  /**
   * Under overload an admitted stream's first token comes within 1.5x of the unloaded p99 (the waiting room
   * holds a request only as long as it can serve it quickly), a shed answer is given at the door rather than
   * after a wait, and goodput stays at 0.95 of the backend's best.
   */
  @ParameterizedTest(name = "{0}x capacity")
  @ValueSource(doubles = {2, 5, 10})
  void overloadKeepsFirstTokensNearUnloadedAndShedsAtTheDoor(double load) {
    SimStats unloaded = run(ConcurrencyConfig.adaptive(ConcurrencyConfig.DEFAULT_LIMIT), 0.5, 1, END);
    SimStats s = run(ConcurrencyConfig.adaptive(ConcurrencyConfig.DEFAULT_LIMIT), load, 7, END);
    System.out.printf("stream mix %.0fx %s (unloaded %s)%n", load, s, unloaded);

    assertThat(unloaded.shed()).as("sheds at 0.5x").isZero();
    assertThat(s.p99FirstTokenNanos()).as("stream TTFT p99 %s vs unloaded %s", s, unloaded)
        .isLessThanOrEqualTo(1.5 * unloaded.p99FirstTokenNanos());
    assertThat(s.p99ShedNanos()).as("shed p99 %s", s).isLessThanOrEqualTo(2 * MS);
    assertThat(s.completedPerSecond()).as("goodput %s", s).isGreaterThanOrEqualTo(0.95 * CAPACITY);
  }

  /**
   * At capacity, Poisson or in bursts (hyperexponential gaps, CV 3), the room lets a request wait only as
   * long as it can still be served quickly: admitted streams' first token stays within 1.5x of the unloaded
   * p99, and a request the room cannot serve soon is refused at the door, not after a wait.
   */
  @ParameterizedTest(name = "cv {0}")
  @ValueSource(doubles = {1, 3})
  void atCapacityAdmittedWaitBrieflyAndShedsAreAtTheDoor(double cv) {
    SimStats unloaded = run(ConcurrencyConfig.adaptive(ConcurrencyConfig.DEFAULT_LIMIT), 0.5, 1, END);
    Simulation sim = simulation(ConcurrencyConfig.adaptive(ConcurrencyConfig.DEFAULT_LIMIT), 0, 11, END);
    sim.hyperexponential(new Random(11), 0, END, CAPACITY, cv,
        (random, at) -> new SimRequest(at, random.nextBoolean(), 100, 16));
    sim.run(END + 20 * SECOND);
    SimStats s = SimStats.of(sim, STEADY_FROM, END, SLOTS);
    System.out.printf("stream mix 1x cv %.0f %s %s (unloaded %s)%n", cv, s, sim.shedReasons, unloaded);

    assertThat(s.p99FirstTokenNanos()).as("stream TTFT p99 %s vs unloaded %s", s, unloaded)
        .isLessThanOrEqualTo(1.5 * unloaded.p99FirstTokenNanos());
    assertThat(s.p99ShedNanos()).as("shed p99 %s %s", s, sim.shedReasons).isLessThanOrEqualTo(2 * MS);
  }

  /**
   * The benchmark's convergence runs: 2x load for 20 s from a starting limit of 4 and of 1,024; the limit,
   * sampled every 250 ms, must be within 10% of the best static limit (64) from 10 s on.
   */
  @ParameterizedTest(name = "start at {0}")
  @ValueSource(ints = {4, 1024})
  void convergesFromFarBelowAndFarAboveWithin10Seconds(int start) {
    Simulation sim = simulation(new ConcurrencyConfig(Mode.ADAPTIVE, start, 4, 1024), 2, 5, 20 * SECOND);
    sim.run(20 * SECOND);

    double settled = SimStats.settledAt(sim.limitTrace, SLOTS);
    SimStats s = SimStats.of(sim, 10 * SECOND, 20 * SECOND, SLOTS);
    System.out.printf("stream mix start=%d settled@%.2fs %s%n", start, settled, s);

    assertThat(settled).as("settled %s", s).isBetween(0.0, 10.0);
  }

  @Test
  void noShedsAtHalfCapacity() {
    SimStats s = run(ConcurrencyConfig.adaptive(ConcurrencyConfig.DEFAULT_LIMIT), 0.5, 3, END);
    assertThat(s.shed()).as("%s", s).isZero();
  }

  static SimStats run(ConcurrencyConfig config, double load, long seed, long end) {
    Simulation sim = simulation(config, load, seed, end);
    sim.run(end + 20 * SECOND);

    return SimStats.of(sim, STEADY_FROM, end, SLOTS);
  }

  static Simulation simulation(ConcurrencyConfig config, double load, long seed, long end) {
    FixedSlotsBackend backend = new FixedSlotsBackend(SLOTS, SERVICE, 1024);
    Simulation sim = new Simulation(config, WaitingRoomConfig.DEFAULTS, backend);
    if (load > 0) {
      sim.poisson(new Random(seed), 0, end, t -> load * CAPACITY,
          (random, at) -> new SimRequest(at, random.nextBoolean(), 100, 16));
    }
    return sim;
  }
}
