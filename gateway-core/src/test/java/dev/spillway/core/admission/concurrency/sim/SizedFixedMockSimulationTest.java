package dev.spillway.core.admission.concurrency.sim;

import static dev.spillway.core.admission.concurrency.sim.Simulation.SECOND;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.ConcurrencyConfig.Mode;
import dev.spillway.core.config.WaitingRoomConfig;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The benchmark's fixed mock as {@link StreamMixSimulationTest} runs it (64 slots x 500 ms, a 1,024-deep queue
 * of its own, half the requests streamed), with the sizes the benchmark's chat requests carry
 * ({@link SimRequest#sizedLikeChat}: 16 to 256 prompt tokens), whose first token does not grow with the
 * prompt. Sizes must change nothing there: each run is compared with the same arrivals without sizes. (Read
 * as an LLM engine's prompts, they kept the limit at 65 to 66 from a start at 4, with a request waiting in the
 * mock's queue: stream TTFT p99 57 ms against 34 ms.)
 */
class SizedFixedMockSimulationTest {
  // The shape StreamMixSimulationTest runs: the same backend, load and measured span.
  static final int SLOTS = StreamMixSimulationTest.SLOTS;
  static final long SERVICE = StreamMixSimulationTest.SERVICE;
  static final double CAPACITY = StreamMixSimulationTest.CAPACITY;
  static final long END = StreamMixSimulationTest.END;
  static final long STEADY_FROM = StreamMixSimulationTest.STEADY_FROM;

  @ParameterizedTest(name = "{0}x capacity")
  @ValueSource(doubles = {1, 2, 5, 10})
  void sizesOnAFixedMockChangeNothingUnderLoad(double load) {
    ConcurrencyConfig config = ConcurrencyConfig.adaptive(ConcurrencyConfig.DEFAULT_LIMIT);
    Simulation plain = simulation(config, load, 7, END, false);
    Simulation sized = simulation(config, load, 7, END, true);
    plain.run(END + 20 * SECOND);
    sized.run(END + 20 * SECOND);
    SimStats p = SimStats.of(plain, STEADY_FROM, END, SLOTS);
    SimStats s = SimStats.of(sized, STEADY_FROM, END, SLOTS);
    System.out.printf("sized fixed mock %.0fx %s (without sizes %s)%n", load, s, p);

    assertSame(s, p);
  }

  @ParameterizedTest(name = "start at {0}")
  @ValueSource(ints = {4, 1024})
  void sizesOnAFixedMockChangeNothingInConvergence(int start) {
    ConcurrencyConfig config = new ConcurrencyConfig(Mode.ADAPTIVE, start, 4, 1024);
    Simulation plain = simulation(config, 2, 5, 20 * SECOND, false);
    Simulation sized = simulation(config, 2, 5, 20 * SECOND, true);
    plain.run(20 * SECOND);
    sized.run(20 * SECOND);
    SimStats p = SimStats.of(plain, 10 * SECOND, 20 * SECOND, SLOTS);
    SimStats s = SimStats.of(sized, 10 * SECOND, 20 * SECOND, SLOTS);
    double settled = SimStats.settledAt(sized.limitTrace, SLOTS);
    System.out.printf("sized fixed mock start=%d settled@%.2fs (without sizes %.2fs) %s (without sizes %s)%n",
        start, settled, SimStats.settledAt(plain.limitTrace, SLOTS), s, p);

    assertThat(settled).as("settled %s", s).isBetween(0.0, SimStats.settledAt(plain.limitTrace, SLOTS) + 0.5);
    assertSame(s, p);
  }

  private static void assertSame(SimStats sized, SimStats plain) {
    assertThat(sized.maxLimit()).as("steady limit with sizes %s vs without %s", sized, plain)
        .isLessThanOrEqualTo(plain.maxLimit());
    assertThat(sized.meanLimit()).as("mean limit with sizes %s vs without %s", sized, plain)
        .isCloseTo(plain.meanLimit(), org.assertj.core.data.Offset.offset(0.5));
    assertThat(sized.p99FirstTokenNanos()).as("stream TTFT p99 with sizes %s vs without %s", sized, plain)
        .isLessThanOrEqualTo(1.1 * plain.p99FirstTokenNanos());
    assertThat(sized.completedPerSecond()).as("goodput with sizes %s vs without %s", sized, plain)
        .isGreaterThanOrEqualTo(0.98 * plain.completedPerSecond());
  }

  /** The same arrivals either way: sizes come from a generator of their own. */
  static Simulation simulation(ConcurrencyConfig config, double load, long seed, long end, boolean withSizes) {
    FixedSlotsBackend backend = new FixedSlotsBackend(SLOTS, SERVICE, 1024);
    Simulation sim = new Simulation(config, WaitingRoomConfig.DEFAULTS, backend);
    Random sizes = new Random(seed + 1);
    sim.poisson(new Random(seed), 0, end, t -> load * CAPACITY, (random, at) -> {
      SimRequest r = new SimRequest(at, random.nextBoolean(), 100, 16);
      return withSizes ? r.sizedLikeChat(sizes) : r;
    });
    return sim;
  }
}
