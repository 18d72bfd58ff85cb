package dev.spillway.core.admission.concurrency.sim;

import static dev.spillway.core.admission.concurrency.sim.Simulation.MS;
import static dev.spillway.core.admission.concurrency.sim.Simulation.SECOND;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.WaitingRoomConfig;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A continuous-batching engine (32 sequences, decode step 10 ms + 0.05 ms per running sequence, prefill
 * 20k tokens/s, 1,024-deep engine queue) with streamed and non-streamed requests mixed half and half, answers
 * of 40-400 tokens and prompts of 100-1,000 (both varying 10x).
 */
class BatchingSimulationTest {
  static final int MAX_RUNNING = 32;
  static final long END = 90 * SECOND;
  static final long STEADY_FROM = 30 * SECOND;

  /**
   * Measured with the defaults: the limit holds the engine queue short (p99 first token within 3x of the
   * best static limit's, where a limit above the batch lets it grow to seconds) at a goodput of at least 0.9
   * of the engine's capacity. The first-token target is looser than the fixed-capacity one (1.5x): each
   * probe above the batch queues in the engine until its window (a second at least, at ten requests a
   * second) shows it.
   */
  @Test
  void adaptiveLimitKeepsTheEngineQueueShortAtMostOfTheBatch() {
    SimStats unloaded = run(ConcurrencyConfig.adaptive(ConcurrencyConfig.DEFAULT_LIMIT), 0.5, 1);
    SimStats best = run(ConcurrencyConfig.fixed(MAX_RUNNING), 40, 2);
    SimStats above = run(ConcurrencyConfig.fixed(2 * MAX_RUNNING), 40, 2);
    SimStats adaptive = run(ConcurrencyConfig.adaptive(ConcurrencyConfig.DEFAULT_LIMIT), 40, 2);
    System.out.printf("batching unloaded %s%n static %d (best) %s%n static %d %s%n adaptive %s%n", unloaded,
        MAX_RUNNING, best, 2 * MAX_RUNNING, above, adaptive);

    assertThat(above.p99FirstTokenNanos()).as("a limit above the batch queues in the engine")
        .isGreaterThan(5 * best.p99FirstTokenNanos());
    assertThat(adaptive.p99FirstTokenNanos()).as("p99 time to first token %s", adaptive)
        .isLessThanOrEqualTo(3 * best.p99FirstTokenNanos());
    assertThat(adaptive.completedPerSecond()).as("goodput %s", adaptive)
        .isGreaterThanOrEqualTo(0.9 * best.completedPerSecond());
    assertThat(adaptive.meanLimit()).as("mean limit %s", adaptive).isBetween(0.85 * MAX_RUNNING, 1.1 * MAX_RUNNING);
  }

  static SimStats run(ConcurrencyConfig config, double ratePerSecond, long seed) {
    BatchingBackend backend = new BatchingBackend(MAX_RUNNING, 10 * MS, 50_000, 20_000, 1024);
    Simulation sim = new Simulation(config, WaitingRoomConfig.DEFAULTS, backend);
    sim.poisson(new Random(seed), 0, END, t -> ratePerSecond, (random, at) -> new SimRequest(at,
        random.nextBoolean(), 100 + random.nextInt(901), 40 + random.nextInt(361)));
    sim.run(END + 60 * SECOND);
    return SimStats.of(sim, STEADY_FROM, END, MAX_RUNNING);
  }
}
