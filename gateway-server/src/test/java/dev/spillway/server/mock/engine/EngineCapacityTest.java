package dev.spillway.server.mock.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The capacity model against the scheduler it describes: a saturated engine (its queue never empty) with the
 * unknown-capacity benchmark's lengths (prompt log-normal median 1020, σ 0.9, 16–8192 tokens; answer
 * log-normal median 129, σ 1.0, 1–512 tokens), run on simulated time.
 */
class EngineCapacityTest {
  private static final long SECOND = 1_000_000_000L;
  /** A cap larger than the engine: its own queue is never empty. */
  private static final int SATURATED = 1000;

  /**
   * No concurrency cap serves more than the model says, and the best cap (about 36 here, below the KV-bound
   * batch of 41: at the KV bound the newest sequences are preempted and recomputed, and a long prompt at the
   * queue's head blocks the rest) serves within 10% of it: measured 3.93 req/s against the model's 4.12. So
   * "goodput above the best" in a benchmark against the simulator is a measurement artefact, not a model
   * that is too low.
   */
  @Test
  void theModelIsAnUpperBoundWithinTenPercentOfTheBestConcurrency() {
    double model = 0;
    double best = 0;
    int bestCap = 0;
    for (int cap : new int[] {24, 28, 32, 36, 40, 44, 48, 64, SATURATED}) {
      double[] r = served(cap);
      model = r[2];
      System.out.printf("engine capacity, at most %d: %.2f req/s, %.0f tokens/s; model %.2f req/s%n", cap, r[0],
          r[1], r[2]);
      if (r[0] > best) {
        best = r[0];
        bestCap = cap;
      }
    }
    assertThat(best).as("best, at most %d in the engine", bestCap).isBetween(0.9 * model, model);
  }

  /** Requests and tokens a second served with at most {@code cap} requests in the engine, and the model's rate. */
  private static double[] served(int cap) {
    EngineOptions options = EngineOptions.defaults();
    BatchScheduler s = new BatchScheduler(options, new LengthSampler(options), new EngineStats());
    SplittableRandom random = new SplittableRandom(7);
    long[] finished = new long[1];
    long[] tokens = new long[1];
    long from = 100 * SECOND;
    long to = 1000 * SECOND;
    double prompt = 0;
    double answer = 0;
    double answerSquared = 0;
    int drawn = 0;
    long now = 0;
    while (now < to) {
      while (cap >= SATURATED ? s.waiting() < 64 : s.waiting() + s.running() < cap) {
        int p = logNormal(random, 1020, 0.9, 16, 8192);
        int a = logNormal(random, 129, 1.0, 1, 512);
        prompt += p;
        answer += a;
        answerSquared += (double) a * a;
        drawn++;
        s.offer(new Sequence(new LengthSampler.Asked(p, a), new SequenceListener() {
          @Override
          public void onTokens(int count) {
            if (clock() >= from) {
              tokens[0] += count;
            }
          }

          @Override
          public void onFinished(Sequence sequence) {
            if (clock() >= from) {
              finished[0]++;
            }
          }

          @Override
          public void onRejected(Sequence sequence, Rejection rejection) {
            throw new AssertionError("rejected: " + rejection);
          }
        }), now);
      }
      now += s.planStep();
      clockNanos = now;
      s.completeStep(now);
    }
    double seconds = (to - from) / (double) SECOND;
    EngineCapacity model = EngineCapacity.estimate(options, prompt / drawn, answer / drawn, answerSquared / drawn);
    return new double[] {finished[0] / seconds, tokens[0] / seconds, model.requestsPerSecond()};
  }

  private static long clockNanos;

  private static long clock() {
    return clockNanos;
  }

  private static int logNormal(SplittableRandom random, double median, double sigma, int min, int max) {
    double z = Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    return (int) Math.max(min, Math.min(max, Math.round(median * Math.exp(sigma * z))));
  }
}
