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
 * Non-streamed answers only, on an engine whose tokens slow down steeply as its batch fills (32 sequences, a
 * decode step of 10 ms + 1 ms per running sequence: 11 ms alone, 42 ms at a full batch), answers of 40-400
 * tokens. Each answer's time per token then grows fourfold from one sequence to a full batch with no queue at
 * all; read as a queue, it held the adaptive limit at a fraction of the batch. Fitted against the answers'
 * lengths ({@code AnswerFit}), the batch's pace shows in the slope and only a queue in the intercept. Each run
 * starts with 40 s at half the capacity, as a day does: the time per token's baseline is then measured on a
 * batch far from full (started at the load itself, the baseline came from a full batch and hid the flaw).
 */
class SteepBatchSimulationTest {
  static final int MAX_RUNNING = 32;
  /** Half the capacity first: the time per token's baseline is measured on a batch far from full. */
  static final long LOAD_FROM = 40 * SECOND;
  static final long END = 190 * SECOND;
  static final long STEADY_FROM = 100 * SECOND;
  /** Requests a second at a full batch: 32 sequences of 220 tokens on average at 42 ms a token. */
  static final double CAPACITY = 3.4;

  /**
   * From 2× to 10× the capacity the adaptive limit gets at least 0.9 of the goodput of the batch as a static
   * limit, with a mean limit of at least 0.7 of the batch. (Judged by time per token, it got 0.47-0.49 of the
   * goodput with a mean limit of 5.6; now 0.97-1.01 with 31-32.)
   */
  @ParameterizedTest(name = "{0}x capacity")
  @CsvSource({"2", "5", "10"})
  void theLimitFillsTheBatchWhoseTokensSlowDownWithoutAQueue(double load) {
    SimStats best = run(ConcurrencyConfig.fixed(MAX_RUNNING), load * CAPACITY, 2);
    SimStats adaptive = run(ConcurrencyConfig.adaptive(ConcurrencyConfig.DEFAULT_LIMIT), load * CAPACITY, 2);
    System.out.printf("steep batch %.0fx%n static %d %s%n adaptive %s%n goodput=%.3f%n", load, MAX_RUNNING, best,
        adaptive, adaptive.completedPerSecond() / best.completedPerSecond());

    assertThat(adaptive.completedPerSecond()).as("goodput %s against %s", adaptive, best)
        .isGreaterThanOrEqualTo(0.9 * best.completedPerSecond());
    assertThat(adaptive.meanLimit()).as("mean limit %s", adaptive).isGreaterThanOrEqualTo(0.7 * MAX_RUNNING);
  }

  static SimStats run(ConcurrencyConfig config, double ratePerSecond, long seed) {
    BatchingBackend backend = new BatchingBackend(MAX_RUNNING, 10 * MS, MS, 20_000, 1024);
    Simulation sim = new Simulation(config, WaitingRoomConfig.DEFAULTS, backend);
    sim.poisson(new Random(seed), 0, END, t -> t < LOAD_FROM ? CAPACITY / 2 : ratePerSecond,
        (random, at) -> new SimRequest(at, false, 100 + random.nextInt(901), 40 + random.nextInt(361)));
    sim.run(END + 60 * SECOND);
    return SimStats.of(sim, STEADY_FROM, END, MAX_RUNNING);
  }
}
