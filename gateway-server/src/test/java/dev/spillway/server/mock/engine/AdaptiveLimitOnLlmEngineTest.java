package dev.spillway.server.mock.engine;

import static dev.spillway.server.mock.engine.EngineAdmissionSim.SECOND;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.EngineSignalConfig;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The adaptive limit on the real {@link BatchScheduler} of the {@code llm} mock (defaults: a KV-cache-bound batch
 * of about 40 for this mix, prefill-bound at about 4 requests a second), measured as the unknown-capacity
 * benchmark measures it ({@link EngineRuns}), on fake time with fixed seeds: a benchmark of the algorithm, not of
 * a host.
 *
 * <p>What it guards: with prompts of 16 to 8,192 tokens the first token's time is mostly the prompt's own
 * prefill. Judged without the request's size the limit read long prompts as queueing and settled at 8 (a fifth
 * of the batch) from half load on; with it ({@link dev.spillway.core.admission.concurrency.LatencySample}'s
 * request bytes) it settles near the batch the engine runs without a queue.
 *
 * <p>Reference points, measured on this harness: the best static limit of the staircase sweep is about 32
 * (answer tokens within 1 % of the most any limit gets at 5× and 10×, mean stream TTFT p99 1.3× the
 * unloaded one); 40, the engine's KV-bound batch, gets the same tokens at twice the TTFT. Where an assertion
 * is looser than the target (95 % of the best tokens, 1.5× the unloaded TTFT p99, ±10 % of the best
 * static limit in 10 s), the javadoc of the test says by how much the limit falls short.
 */
class AdaptiveLimitOnLlmEngineTest {
  static final int SEEDS = 8;
  /** Seeds of {@link #withoutStreamsDeliversMostOfTheBestStaticLimitsTokens}. */
  static final int WHOLE_SEEDS = 24;
  static final ConcurrencyConfig ADAPTIVE = ConcurrencyConfig.adaptive(ConcurrencyConfig.DEFAULT_LIMIT);
  final EngineRuns runs = EngineRuns.forBenchmarkMix(EngineOptions.defaults());

  /**
   * Answer tokens at 2×, 5× and 10× (mean over seeds) against the best static limit's on the same staircase:
   * at least 95 % at 5× and 10×, 88 % at 2× (the target is 95 %; it gets 90 %: the 1× level before it leaves
   * the limit far above the batch, and its first seconds at 2× queue in the engine). The mean limit stays
   * within the band where the engine neither starves nor queues (before prompt sizes were used: 8).
   */
  @Test
  void deliversMostOfTheBestStaticLimitsTokensFromTwiceTheCapacityOn() {
    double[] best = new double[EngineRuns.MULTIPLES.length];
    for (int limit = 28; limit <= 40; limit += 4) {
      double[] tokens = sweepMeans(ConcurrencyConfig.fixed(limit)).tokens;
      for (int i = 0; i < best.length; i++) {
        best[i] = Math.max(best[i], tokens[i]);
      }
    }
    SweepMeans adaptive = sweepMeans(ADAPTIVE);
    for (int i = 2; i < EngineRuns.MULTIPLES.length; i++) {
      String level = String.format(Locale.ROOT, "%.0fx: %.0f tokens/s of the best static %.0f, limit %.1f",
          EngineRuns.MULTIPLES[i], adaptive.tokens[i], best[i], adaptive.limits[i]);
      double least = EngineRuns.MULTIPLES[i] == 2 ? 0.88 : 0.95;
      assertThat(adaptive.tokens[i]).as(level).isGreaterThanOrEqualTo(least * best[i]);
      assertThat(adaptive.limits[i]).as(level).isBetween(26.0, 44.0);
    }
  }

  /**
   * Every answer whole (no streams, so no first tokens): at 2×, 5× and 10× at least 85 % of the best static
   * limit's tokens, with a mean limit from 24 to 48, over {@value #WHOLE_SEEDS} seeds. The best of four static
   * limits' means is biased up by chance, and on 8 seeds it moved by 8 % at 10× with a change to CoDel that
   * left the adaptive limit's tokens as they were (static 32: 727 to 783 tokens/s; over 48 seeds 707 to 719).
   * The target is 95 %: over 48 seeds it gets 92 / 91 / 98 % of 700 tokens/s, a static 32 94 / 95 / 103 %. The
   * engine's tokens slow down as its batch fills (19 ms each at 8 in flight, 58 ms at 40) without any queue:
   * judged by time per token the limit read that as a queue and held 6-7, with 54-63 % of the tokens. The
   * answers' times fitted against their lengths tell the batch's pace from a queue's wait.
   */
  @Test
  void withoutStreamsDeliversMostOfTheBestStaticLimitsTokens() {
    EngineRuns whole = runs.withStreamShare(0);
    double[] best = new double[EngineRuns.MULTIPLES.length];
    for (int limit = 28; limit <= 40; limit += 4) {
      double[] tokens = sweepMeans(whole, ConcurrencyConfig.fixed(limit), WHOLE_SEEDS).tokens;
      for (int i = 0; i < best.length; i++) {
        best[i] = Math.max(best[i], tokens[i]);
      }
    }
    SweepMeans adaptive = sweepMeans(whole, ADAPTIVE, WHOLE_SEEDS);
    for (int i = 2; i < EngineRuns.MULTIPLES.length; i++) {
      String level = String.format(Locale.ROOT, "%.0fx: %.0f tokens/s of the best static %.0f, limit %.1f",
          EngineRuns.MULTIPLES[i], adaptive.tokens[i], best[i], adaptive.limits[i]);
      System.out.println("without streams " + level);
      double least = 0.85;
      assertThat(adaptive.tokens[i]).as(level).isGreaterThanOrEqualTo(least * best[i]);
      assertThat(adaptive.limits[i]).as(level).isBetween(24.0, 48.0);
    }
  }

  /**
   * Streams' time to first token from arrival, p99 (mean over seeds), at 5× and 10×: within 1.5× the unloaded
   * p99 (no limit, half the capacity); the best static limit gets 1.0–1.3×. (At 2× it is 2.8×, missed: see
   * the tokens above.)
   */
  @Test
  void keepsStreamsFirstTokensNearTheUnloadedOnes() {
    double unloaded = runs.constant(ConcurrencyConfig.fixed(100_000), 0.5, 60 * SECOND, 10 * SECOND, 3)
        .streamTtftP99Ms();
    SweepMeans adaptive = sweepMeans(ADAPTIVE);
    for (int i = 3; i < EngineRuns.MULTIPLES.length; i++) {
      assertThat(adaptive.ttftP99Ms[i] / unloaded).as("%.0fx: TTFT p99 %.0f ms, unloaded %.0f ms",
          EngineRuns.MULTIPLES[i], adaptive.ttftP99Ms[i], unloaded).isLessThanOrEqualTo(1.5);
    }
  }

  /**
   * At half the capacity, the staircase's first level, nothing is shed: the limit has no reason to come down.
   * (Over a whole minute at half load one seed of eight sheds 8: a burst of long prompts with twice the usual
   * requests in flight reads as a queue for places.)
   */
  @Test
  void shedsNothingAtHalfTheCapacity() {
    for (long seed = 1; seed <= SEEDS; seed++) {
      EngineRunStats half = runs.sweep(ADAPTIVE, seed).get(0);
      assertThat(half.sheds()).as("seed %d: %s", seed, half).isZero();
    }
  }

  /**
   * With engine signals ({@code combine: override}) nothing is shed at half the capacity either. The engine
   * shows a burst of long prompts waiting for its next steps in one scrape; read as a shortage of places, it
   * cut the limit to what was in flight and 6 requests of 16 seeds' half-load levels were shed.
   */
  @Test
  void withEngineSignalsShedsNothingAtHalfTheCapacity() {
    EngineSignalConfig v = EngineSignalConfig.of(EngineSignalConfig.EnginePreset.VLLM);
    ConcurrencyConfig config = new ConcurrencyConfig(ConcurrencyConfig.Mode.ADAPTIVE, ADAPTIVE.limit(),
        ADAPTIVE.minLimit(), ADAPTIVE.maxLimit(), new EngineSignalConfig(v.preset(), v.path(), v.runningMetric(),
        v.waitingMetric(), v.kvCacheMetric(), v.interval(), v.timeout(), v.staleAfter(), v.targetWaiting(),
        v.maxResponseBytes(), EngineSignalConfig.Combine.OVERRIDE));
    for (long seed = 1; seed <= 2 * SEEDS; seed++) {
      EngineRunStats half = runs.sweep(config, seed).get(0);
      assertThat(half.sheds()).as("seed %d: %s", seed, half).isZero();
    }
  }

  /**
   * A fifth of the requests are non-streamed answers of 30–60 s at 60 % of the batch: never a shed while the
   * engine could have started the request at once.
   */
  @Test
  void longAnswersCauseNoShedWhileTheEngineHasRoom() {
    for (long seed = 1; seed <= SEEDS; seed++) {
      EngineRunStats mix = runs.longAnswers(ADAPTIVE, 40, seed);
      assertThat(mix.sim.shedWithFreeEngine).as("seed %d: %s", seed, mix).isZero();
    }
  }

  /**
   * From a configured limit of 1,024 at twice the capacity, the limit is within 2× the batch after 10 s and
   * stays above 16 (before: 1,024, 512, 256, 128 in 20 s; the target, ±10 % of the best static limit within
   * 10 s, is missed: it comes down within 3 s to what the engine, still filling its batch, has started, and
   * climbs back by slow start).
   */
  @Test
  void comesDownFromFarAboveWithinTenSeconds() {
    EngineRunStats run = runs.constant(ConcurrencyConfig.adaptive(1024), 2, 20 * SECOND, 0, 5);
    List<Integer> trace = run.sim.limitTrace;
    int from = (int) (10 * SECOND / EngineAdmissionSim.TRACE_STEP_NANOS);
    int to = (int) (20 * SECOND / EngineAdmissionSim.TRACE_STEP_NANOS);
    assertThat(trace.subList(from, to)).as(run.limitPerSecond()).allSatisfy(l -> assertThat(l).isBetween(16, 80));
  }

  /**
   * After coming down from 1,024 while the engine still fills its first batch (it has started 6 to 21 of its
   * 40 by then), slow start regains the batch: from 15 s to 20 s every seed's limit is between 20 and 48 (the
   * best static limit is 32–36; before, the careful steps after that first cut held seeds at 8 and 13).
   */
  @Test
  void regainsTheBatchAfterComingDownWhileTheEngineFillsIt() {
    for (long seed = 1; seed <= SEEDS; seed++) {
      EngineRunStats run = runs.constant(ConcurrencyConfig.adaptive(1024), 2, 20 * SECOND, 0, seed);
      List<Integer> trace = run.sim.limitTrace;
      int from = (int) (15 * SECOND / EngineAdmissionSim.TRACE_STEP_NANOS);
      int to = (int) (20 * SECOND / EngineAdmissionSim.TRACE_STEP_NANOS);
      assertThat(trace.subList(from, to)).as("seed %d: %s", seed, run.limitPerSecond())
          .allSatisfy(l -> assertThat(l).isBetween(20, 48));
    }
  }

  /** Means over {@link #SEEDS} staircase sweeps, per level. */
  private SweepMeans sweepMeans(ConcurrencyConfig config) {
    return sweepMeans(runs, config);
  }

  private static SweepMeans sweepMeans(EngineRuns runs, ConcurrencyConfig config) {
    return sweepMeans(runs, config, SEEDS);
  }

  private static SweepMeans sweepMeans(EngineRuns runs, ConcurrencyConfig config, int seeds) {
    int n = EngineRuns.MULTIPLES.length;
    SweepMeans m = new SweepMeans(new double[n], new double[n], new double[n]);
    for (long seed = 1; seed <= seeds; seed++) {
      List<EngineRunStats> levels = runs.sweep(config, seed);
      for (int i = 0; i < n; i++) {
        m.tokens[i] += levels.get(i).tokensPerSecond() / seeds;
        m.ttftP99Ms[i] += levels.get(i).streamTtftP99Ms() / seeds;
        m.limits[i] += levels.get(i).meanLimit() / seeds;
      }
    }
    return m;
  }

  private record SweepMeans(double[] tokens, double[] ttftP99Ms, double[] limits) {}
}
