package dev.spillway.core.admission.concurrency.sim;

import static dev.spillway.core.admission.concurrency.sim.Simulation.MS;
import static dev.spillway.core.admission.concurrency.sim.Simulation.SECOND;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.WaitingRoomConfig;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Long LLM answers in front of the continuous-batching engine of {@link BatchingSimulationTest} (32 sequences,
 * about 85 tokens a second each at a full batch): 80% streams of 10-30 s, 20% non-streamed answers of 30-60 s.
 * A request holds its slot for 25 s on average, so the engine serves about 1.28 requests a second.
 */
class LongAnswerSimulationTest {
  static final int MAX_RUNNING = 32;
  static final double CAPACITY = 1.28;
  static final double TOKENS_PER_SECOND = 85;

  /**
   * A gateway (re)started under 1x load: its limit starts pinned low to measure the baseline, but only for a
   * bounded time, and a stream's sample is its first token, taken when it arrives. So nothing is shed while
   * the engine has free slots, and from 10 s on the limit is not below 0.9 of the best static limit (the
   * batch). Before, the start lasted until ten answers had ended (minutes of 4 slots) and shed the backlog.
   */
  @Test
  void restartUnderLongAnswersShedsNothingWhileTheEngineHasRoom() {
    Simulation sim = simulation(0);
    sim.poisson(new Random(11), 0, 60 * SECOND, t -> CAPACITY, LongAnswerSimulationTest::longAnswer);
    sim.run(60 * SECOND);

    int minFrom10s = min(sim.limitTrace, 10, 60);
    System.out.printf("restart 1x: shed=%d (with free slots %d) limit at 1.5 s=%d min from 10 s=%d%n",
        sim.shedCount(), sim.shedWithFreeSlots(), sim.limitTrace.get(150), minFrom10s);
    assertThat(sim.shedWithFreeSlots()).as("shed while the engine had free slots").isZero();
    assertThat(minFrom10s).as("limit from 10 s").isGreaterThanOrEqualTo((int) (0.9 * MAX_RUNNING));
  }

  /**
   * At half the engine's capacity, with non-streamed answers timing out at 30 s (overload evidence as the
   * gateway classifies it) and long answers' per-token samples: the engine always has free slots, so
   * nothing may be shed and the limit must not fall below the batch.
   */
  @Test
  void longAnswersAndTheirTimeoutsDoNotCutTheLimitWhileTheEngineHasRoom() {
    Simulation sim = simulation(30 * SECOND);
    sim.poisson(new Random(12), 0, 120 * SECOND, t -> 0.5 * CAPACITY, LongAnswerSimulationTest::longAnswer);
    sim.run(120 * SECOND);

    long timedOut = sim.requests.stream().filter(r -> r.timedOut).count();
    int minLimit = min(sim.limitTrace, 5, 120);
    System.out.printf("long answers 0.5x: timed out=%d shed=%d (with free slots %d) min limit from 5 s=%d%n",
        timedOut, sim.shedCount(), sim.shedWithFreeSlots(), minLimit);
    assertThat(timedOut).as("the test must time some answers out").isPositive();
    assertThat(sim.shedWithFreeSlots()).as("shed while the engine had free slots").isZero();
    assertThat(minLimit).as("limit from 5 s").isGreaterThanOrEqualTo(MAX_RUNNING);
  }

  private static Simulation simulation(long nonStreamTimeout) {
    BatchingBackend backend = new BatchingBackend(MAX_RUNNING, 10 * MS, 50_000, 20_000, 1024);
    Simulation sim = new Simulation(ConcurrencyConfig.adaptive(ConcurrencyConfig.DEFAULT_LIMIT),
        WaitingRoomConfig.DEFAULTS, backend);
    sim.nonStreamTimeoutNanos = nonStreamTimeout;
    return sim;
  }

  private static SimRequest longAnswer(Random random, long at) {
    boolean stream = random.nextDouble() < 0.8;
    double seconds = stream ? 10 + 20 * random.nextDouble() : 30 + 30 * random.nextDouble();
    return new SimRequest(at, stream, 100 + random.nextInt(901), (int) (seconds * TOKENS_PER_SECOND));
  }

  private static int min(List<Integer> trace, int fromSecond, int toSecond) {
    int step = 1000 / Simulation.TRACE_STEP_MS;
    return trace.subList(fromSecond * step, Math.min(trace.size(), toSecond * step)).stream()
        .mapToInt(Integer::intValue).min().orElse(0);
  }
}
