package dev.spillway.core.admission.concurrency.sim;

import static dev.spillway.core.admission.concurrency.sim.Simulation.MS;
import static dev.spillway.core.admission.concurrency.sim.Simulation.SECOND;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.ConcurrencyConfig.Mode;
import dev.spillway.core.config.WaitingRoomConfig;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The benchmark's fixed mock as {@link StreamMixSimulationTest} runs it (64 slots x exactly 500 ms, a 1,024-deep queue
 * of its own, half the requests streamed), but with the sizes the benchmark's chat requests carry
 * ({@link SimRequest#sizedLikeChat}): 16 to 256 prompt tokens, whose first token does not grow with the
 * prompt. Sizes must change nothing there: the limit holds the 64 slots, and no admitted request waits in
 * the mock's queue (measured: with sizes read as an LLM engine's prompts, the limit sat at 65 to 66 and
 * stream TTFT p99 at 1.8 to 1.9 times unloaded).
 */
class SizedFixedMockSimulationTest {
  static final int SLOTS = 64;
  static final long SERVICE = 500 * MS;
  static final double CAPACITY = SLOTS * (double) SECOND / SERVICE;
  static final long END = 40 * SECOND;
  static final long STEADY_FROM = 10 * SECOND;

  @ParameterizedTest(name = "{0}x capacity")
  @ValueSource(doubles = {2, 5, 10})
  void sizesOnAFixedMockKeepTheLimitAtItsSlots(double load) {
    SimStats unloaded = run(ConcurrencyConfig.adaptive(ConcurrencyConfig.DEFAULT_LIMIT), 0.5, 1, END);
    SimStats s = run(ConcurrencyConfig.adaptive(ConcurrencyConfig.DEFAULT_LIMIT), load, 7, END);
    System.out.printf("sized fixed mock %.0fx %s (unloaded %s)%n", load, s, unloaded);

    assertThat(s.p99FirstTokenNanos()).as("stream TTFT p99 %s vs unloaded %s", s, unloaded)
        .isLessThanOrEqualTo(1.5 * unloaded.p99FirstTokenNanos());
    assertThat(s.maxLimit()).as("steady limit %s", s).isLessThanOrEqualTo(SLOTS + 1);
    assertThat(s.meanLimit()).as("mean limit %s", s).isBetween(0.9 * SLOTS, 1.0 * SLOTS + 0.5);
    assertThat(s.completedPerSecond()).as("goodput %s", s).isGreaterThanOrEqualTo(0.95 * CAPACITY);
  }

  @ParameterizedTest(name = "start at {0}")
  @ValueSource(ints = {4, 1024})
  void convergesFromFarBelowAndFarAboveWithin10Seconds(int start) {
    Simulation sim = simulation(new ConcurrencyConfig(Mode.ADAPTIVE, start, 4, 1024), 2, 5, 20 * SECOND);
    sim.run(20 * SECOND);

    double settled = SimStats.settledAt(sim.limitTrace, SLOTS);
    SimStats s = SimStats.of(sim, 10 * SECOND, 20 * SECOND, SLOTS);
    System.out.printf("sized fixed mock start=%d settled@%.2fs %s%n", start, settled, s);

    assertThat(settled).as("settled %s", s).isBetween(0.0, 10.0);
    assertThat(s.maxLimit()).as("limit from 10 s %s", s).isLessThanOrEqualTo(SLOTS + 1);
    assertThat(s.p99FirstTokenNanos()).as("stream TTFT p99 from 10 s %s", s).isLessThanOrEqualTo(40 * MS);
  }

  static SimStats run(ConcurrencyConfig config, double load, long seed, long end) {
    Simulation sim = simulation(config, load, seed, end);
    sim.run(end + 20 * SECOND);
    return SimStats.of(sim, STEADY_FROM, end, SLOTS);
  }

  static Simulation simulation(ConcurrencyConfig config, double load, long seed, long end) {
    FixedSlotsBackend backend = new FixedSlotsBackend(SLOTS, SERVICE, 1024, 0);
    Simulation sim = new Simulation(config, WaitingRoomConfig.DEFAULTS, backend);
    sim.poisson(new Random(seed), 0, end, t -> load * CAPACITY,
        (random, at) -> new SimRequest(at, random.nextBoolean(), 100, 16).sizedLikeChat(random));
    return sim;
  }
}
