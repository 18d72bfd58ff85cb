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
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Convergence from far off, small backends at moderate load, and a backend whose capacity changes. */
class AdaptiveLimitSimulationTest {
  static final long END = 40 * SECOND;

  @ParameterizedTest(name = "start at {0}")
  @ValueSource(ints = {4, 1024})
  void convergesFromFarBelowAndFarAboveWithin10Seconds(int start) {
    FixedSlotsBackend backend = new FixedSlotsBackend(64, 50 * MS, 1024);
    Simulation sim = new Simulation(new ConcurrencyConfig(Mode.ADAPTIVE, start, 4, 1024),
        WaitingRoomConfig.DEFAULTS, backend);
    sim.poisson(new Random(3), 0, END, t -> 5 * 1280.0, (random, at) -> new SimRequest(at, false, 100, 50));
    sim.run(END);

    SimStats s = SimStats.of(sim, 10 * SECOND, END, 64);
    System.out.printf("start=%d %s%n", start, s);
    assertThat(s.convergedAtSeconds()).as("%s", s).isBetween(0.0, 10.0);
    assertThat(s.meanLimit()).isBetween(0.9 * 64, 1.1 * 64);
    assertThat(s.p99LatencyNanos()).as("%s", s).isLessThanOrEqualTo(1.5 * 55 * MS);
  }

  /**
   * A slow backend (64 slots x 500 ms, 1,024-deep queue) at 2x load: windows last a second or more, so
   * additive growth from 4 and in-window decreases from 1,024 (whose samples wait out the whole queue) took
   * well over 20 s. From 4 the limit reaches the knee at about 10.3 s of simulated time (a 1 s probe, then
   * windows of a second or more at x1.6 each), hence the 11 s bound.
   */
  @ParameterizedTest(name = "slow backend, start at {0}")
  @ValueSource(ints = {4, 1024})
  void slowBackendConvergesFromFarBelowAndFarAboveWithin11Seconds(int start) {
    FixedSlotsBackend backend = new FixedSlotsBackend(64, 500 * MS, 1024);
    Simulation sim = new Simulation(new ConcurrencyConfig(Mode.ADAPTIVE, start, 4, 1024),
        WaitingRoomConfig.DEFAULTS, backend);
    sim.poisson(new Random(4), 0, END, t -> 2 * 128.0, (random, at) -> new SimRequest(at, false, 100, 50));
    sim.run(END);

    SimStats s = SimStats.of(sim, 10 * SECOND, END, 64);
    System.out.printf("slow start=%d %s%n", start, s);
    assertThat(s.convergedAtSeconds()).as("%s", s).isBetween(0.0, 11.0);
    assertThat(s.meanLimit()).as("%s", s).isBetween(0.9 * 64, 1.1 * 64);
  }

  /**
   * The unknown-capacity benchmark's convergence runs on its fixed mock: 64 slots x 500 ms, exact service times
   * (so completions repeat each burst of starts a jump of the limit sends), a 1,024-deep queue of its own, half
   * the requests streamed (the first of 16 tokens after 31 ms), 2x load for 20 s; the limit sampled every
   * 250 ms must stay within 10% of 64 from 10 s on. Little's law from the departure rate alone cut the limit
   * to 42 from 4 (settled at 11.5 s) and to 40, then 22, from 1,024 (18.5 s), as the real runs did (12.0 s
   * and 15.5 s): a request queued behind a few others waited nearly a whole service time for the next burst
   * of completions.
   */
  @ParameterizedTest(name = "start at {0}, seed {1}")
  @CsvSource({"4, 5", "1024, 5", "4, 6", "1024, 6", "4, 7", "1024, 7"})
  void benchmarkMockWithExactServiceTimesSettlesWithin10Seconds(int start, long seed) {
    FixedSlotsBackend backend = new FixedSlotsBackend(64, 500 * MS, 1024, 0);
    Simulation sim = new Simulation(new ConcurrencyConfig(Mode.ADAPTIVE, start, 4, 1024),
        WaitingRoomConfig.DEFAULTS, backend);
    sim.poisson(new Random(seed), 0, 20 * SECOND, t -> 2 * 128.0,
        (random, at) -> new SimRequest(at, random.nextBoolean(), 100, 16));
    sim.run(20 * SECOND);

    double settled = SimStats.settledAt(sim.limitTrace, 64);
    SimStats s = SimStats.of(sim, 10 * SECOND, 20 * SECOND, 64);
    System.out.printf("exact mock start=%d seed=%d settled@%.2fs %s%n", start, seed, settled, s);
    assertThat(settled).as("settled %s", s).isBetween(0.0, 10.0);
  }

  /** The bug report's case: 8 real slots at 15 req/s; the old limit climbed 8 -> 32 (its max). */
  @Test
  void eightSlotsAtModerateLoadDoNotClimbToMax() {
    FixedSlotsBackend backend = new FixedSlotsBackend(8, 400 * MS, 1024);
    Simulation sim = new Simulation(new ConcurrencyConfig(Mode.ADAPTIVE, 8, 1, 32), WaitingRoomConfig.DEFAULTS,
        backend);
    sim.poisson(new Random(5), 0, 120 * SECOND, t -> 15.0, (random, at) -> new SimRequest(at, false, 100, 50));
    sim.run(120 * SECOND);

    SimStats s = SimStats.of(sim, 20 * SECOND, 120 * SECOND, 8);
    System.out.printf("8 slots @15/s %s%n", s);
    assertThat(s.maxLimit()).as("%s", s).isLessThanOrEqualTo(12);
    assertThat(s.meanLimit()).as("%s", s).isLessThanOrEqualTo(10);
    assertThat(s.completedPerSecond()).isGreaterThanOrEqualTo(0.95 * 15);
  }

  @Test
  void eightSlotsOverloadedFindEight() {
    FixedSlotsBackend backend = new FixedSlotsBackend(8, 400 * MS, 1024);
    Simulation sim = new Simulation(ConcurrencyConfig.adaptive(ConcurrencyConfig.DEFAULT_LIMIT),
        WaitingRoomConfig.DEFAULTS, backend);
    sim.poisson(new Random(6), 0, 120 * SECOND, t -> 5 * 20.0, (random, at) -> new SimRequest(at, false, 100, 50));
    sim.run(120 * SECOND);

    SimStats s = SimStats.of(sim, 30 * SECOND, 120 * SECOND, 8);
    System.out.printf("8 slots @5x %s%n", s);
    // 10% of 8 is less than one slot: the limit steps between 7 and 10.
    assertThat(s.meanLimit()).as("%s", s).isBetween(7.0, 10.0);
    assertThat(s.completedPerSecond()).isGreaterThanOrEqualTo(0.95 * 20);
  }

  /** 64 slots, then 32 from 20 s, then 64 again from 40 s, at 5x the larger capacity throughout. */
  @Test
  void followsCapacityChangesWithin10Seconds() {
    FixedSlotsBackend backend = new FixedSlotsBackend(64, 50 * MS, 1024);
    Simulation sim = new Simulation(ConcurrencyConfig.adaptive(ConcurrencyConfig.DEFAULT_LIMIT),
        WaitingRoomConfig.DEFAULTS, backend);
    sim.poisson(new Random(8), 0, 60 * SECOND, t -> 5 * 1280.0, (random, at) -> new SimRequest(at, false, 100, 50));
    sim.at(20 * SECOND, () -> backend.setSlots(32, 20 * SECOND, sim));
    sim.at(40 * SECOND, () -> backend.setSlots(64, 40 * SECOND, sim));
    sim.run(60 * SECOND);

    SimStats first = SimStats.of(sim, 10 * SECOND, 20 * SECOND, 64);
    SimStats halved = SimStats.of(sim, 30 * SECOND, 40 * SECOND, 32);
    SimStats restored = SimStats.of(sim, 50 * SECOND, 60 * SECOND, 64);
    System.out.printf("capacity 64: %s%ncapacity 32: %s%ncapacity 64 again: %s%n", first, halved, restored);
    assertThat(first.convergedAtSeconds()).as("%s", first).isBetween(0.0, 10.0);
    assertThat(sinceChange(sim, 20, 32)).as("seconds to follow 64 -> 32").isBetween(0.0, 10.0);
    assertThat(sinceChange(sim, 40, 64)).as("seconds to follow 32 -> 64").isBetween(0.0, 10.0);
    assertThat(halved.meanLimit()).isBetween(0.9 * 32, 1.1 * 32);
    assertThat(halved.p99LatencyNanos()).isLessThanOrEqualTo(1.5 * 55 * MS);
    assertThat(restored.p99LatencyNanos()).isLessThanOrEqualTo(1.5 * 55 * MS);
  }

  /** Seconds after {@code changeAt} from which the limit's 1 s average stays within 10% of {@code best}. */
  private static double sinceChange(Simulation sim, int changeAt, int best) {
    int from = changeAt * 1000 / Simulation.TRACE_STEP_MS;
    int to = Math.min(sim.limitTrace.size(), from + 20_000 / Simulation.TRACE_STEP_MS);
    double at = SimStats.convergedAt(sim.limitTrace.subList(from, to), to - from, best);
    return at;
  }
}
