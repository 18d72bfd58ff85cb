package dev.spillway.server.mock.engine;

import static dev.spillway.server.mock.engine.EngineAdmissionSim.SECOND;

import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.server.mock.engine.EngineAdmissionSim.SimCall;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongToDoubleFunction;

/**
 * The unknown-capacity benchmark's LLM runs on {@link EngineAdmissionSim}: its request mix, its arrival
 * processes and its schedules (a staircase sweep, convergence from far below and above, a spike, the
 * long-answer mix), each returning what the benchmark measures ({@link EngineRunStats}).
 *
 * <p>The mix is the benchmark's: 80 % streamed; prompts log-normal, median 1020 tokens, σ 0.9, 16–8192;
 * answers log-normal, median 129, σ 1.0, 1–512, sent as {@code max_tokens} so the engine generates exactly
 * that many. The long-answer mix adds a fifth of non-streamed answers of 1701–3402 tokens.
 */
final class EngineRuns {
  /**
   * Staircase levels as the benchmark runs them: 20 s each (the probe's {@code -DlevelSeconds} changes it),
   * measured over all but the first 8 s.
   */
  static final double[] MULTIPLES = {0.5, 1, 2, 5, 10};
  static final long LEVEL_NANOS = Long.getLong("levelSeconds", 20) * SECOND;
  static final long SKIP_NANOS = 8 * SECOND;

  final EngineOptions options;
  /** Requests a second the engine sustains for this mix (the benchmark's "best", measured or modelled). */
  final double capacity;
  /** The share of chat requests streamed. */
  final double streamShare;

  EngineRuns(EngineOptions options, double capacity) {
    this(options, capacity, STREAM_SHARE);
  }

  private EngineRuns(EngineOptions options, double capacity, double streamShare) {
    this.options = options;
    this.capacity = capacity;
    this.streamShare = streamShare;
  }

  /** The same runs with {@code share} of the chat requests streamed (0: every answer whole). */
  EngineRuns withStreamShare(double share) {
    return new EngineRuns(options, capacity, share);
  }

  /**
   * Runs against an engine with {@code options}, at multiples of its capacity for the benchmark's mix (the
   * step model's estimate, {@link EngineCapacity}, from the mix's own means).
   */
  static EngineRuns forBenchmarkMix(EngineOptions options) {
    SplittableRandom r = new SplittableRandom(1);
    int n = 200_000;
    double prompt = 0;
    double answer = 0;
    double answerSquared = 0;
    for (int i = 0; i < n; i++) {
      SimCall c = chat(r, 0, STREAM_SHARE);
      prompt += c.promptTokens;
      answer += c.answerTokens;
      answerSquared += (double) c.answerTokens * c.answerTokens;
    }
    return new EngineRuns(options,
        EngineCapacity.estimate(options, prompt / n, answer / n, answerSquared / n).requestsPerSecond());
  }

  /** The share of chat requests streamed: the benchmark's 0.8, or {@code -DstreamShare} for a probe. */
  static final double STREAM_SHARE = Double.parseDouble(System.getProperty("streamShare", "0.8"));

  /** The benchmark's chat request, streamed with probability {@code streamShare}. */
  static SimCall chat(SplittableRandom r, long at, double streamShare) {
    boolean stream = r.nextDouble() < streamShare;
    return new SimCall(at, stream, logNormal(r, 1020, 0.9, 16, 8192), logNormal(r, 129, 1.0, 1, 512));
  }

  /** The long-answer mix: a fifth non-streamed answers of 1701–3402 tokens, the rest chat. */
  SimCall longAnswerMix(SplittableRandom r, long at) {
    if (r.nextDouble() < 0.2) {
      return new SimCall(at, false, logNormal(r, 1020, 0.9, 16, 8192), 1701 + r.nextInt(3402 - 1701 + 1));
    }
    return chat(r, at);
  }

  /** The benchmark's chat request, streamed with probability {@link #streamShare}. */
  SimCall chat(SplittableRandom r, long at) {
    return chat(r, at, streamShare);
  }

  static int logNormal(SplittableRandom r, double median, double sigma, int min, int max) {
    double v = median * Math.exp(sigma * r.nextGaussian());
    return (int) Math.max(min, Math.min(max, Math.round(v)));
  }

  /** Draws one request. */
  interface Mix {
    SimCall next(SplittableRandom random, long at);
  }

  /** Open-loop Poisson arrivals at {@code rate(t)} requests a second over {@code [from, until)}. */
  static void poisson(EngineAdmissionSim sim, SplittableRandom r, long from, long until, LongToDoubleFunction rate,
      Mix mix) {
    long t = from;
    while (true) {
      t += (long) (-Math.log(1 - r.nextDouble()) / rate.applyAsDouble(t) * SECOND);
      if (t >= until) {
        return;
      }
      sim.arrival(mix.next(r, t));
    }
  }

  /** Bursty arrivals: two-phase hyperexponential gaps with coefficient of variation {@code cv}, as the benchmark. */
  static void bursty(EngineAdmissionSim sim, SplittableRandom r, long from, long until, double rate, double cv,
      Mix mix) {
    double c2 = cv * cv;
    double p = (1 + Math.sqrt((c2 - 1) / (c2 + 1))) / 2;
    double mean = SECOND / rate;
    long t = from;
    while (true) {
      double branch = r.nextDouble() < p ? mean / (2 * p) : mean / (2 * (1 - p));
      t += (long) (-Math.log(1 - r.nextDouble()) * branch);
      if (t >= until) {
        return;
      }
      sim.arrival(mix.next(r, t));
    }
  }

  /** One level at {@code multiple} × capacity for {@code seconds}, measured after {@code skip} seconds. */
  EngineRunStats constant(ConcurrencyConfig config, double multiple, long nanos, long skipNanos, long seed) {
    EngineAdmissionSim sim = new EngineAdmissionSim(options, config);
    poisson(sim, new SplittableRandom(seed), 0, nanos, t -> multiple * capacity, this::chat);
    sim.run(nanos + EngineAdmissionSim.CLIENT_TIMEOUT_NANOS);
    sim.close();
    return new EngineRunStats(sim, skipNanos, nanos);
  }

  /** The staircase sweep: one stats per level of {@link #MULTIPLES}, measured over its last 12 s. */
  List<EngineRunStats> sweep(ConcurrencyConfig config, long seed) {
    EngineAdmissionSim sim = new EngineAdmissionSim(options, config);
    long end = MULTIPLES.length * LEVEL_NANOS;
    poisson(sim, new SplittableRandom(seed), 0, end,
        t -> MULTIPLES[(int) Math.min(MULTIPLES.length - 1, t / LEVEL_NANOS)] * capacity, this::chat);
    sim.run(end + EngineAdmissionSim.CLIENT_TIMEOUT_NANOS);
    sim.close();
    return java.util.stream.IntStream.range(0, MULTIPLES.length)
        .mapToObj(i -> new EngineRunStats(sim, i * LEVEL_NANOS + SKIP_NANOS, (i + 1) * LEVEL_NANOS)).toList();
  }

  /** 5 s at 0.8×, 10 s at 10×, 15 s at 0.8×. */
  EngineRunStats spike(ConcurrencyConfig config, long seed) {
    EngineAdmissionSim sim = new EngineAdmissionSim(options, config);
    poisson(sim, new SplittableRandom(seed), 0, 30 * SECOND,
        t -> (t >= 5 * SECOND && t < 15 * SECOND ? 10 : 0.8) * capacity, this::chat);
    sim.run(30 * SECOND + EngineAdmissionSim.CLIENT_TIMEOUT_NANOS);
    sim.close();
    return new EngineRunStats(sim, 0, 30 * SECOND);
  }

  /** 75 s of the long-answer mix at 60 % of {@code slots} busy. */
  EngineRunStats longAnswers(ConcurrencyConfig config, int slots, long seed) {
    EngineAdmissionSim sim = new EngineAdmissionSim(options, config);
    // Mean service: chat answers at the loaded decode speed, long ones 2551 tokens at it (the benchmark's
    // 11.64 s at 57 tokens/s for this engine).
    double rate = 0.6 * slots / 11.64;
    poisson(sim, new SplittableRandom(seed), 0, 75 * SECOND, t -> rate, this::longAnswerMix);
    sim.run(75 * SECOND + EngineAdmissionSim.CLIENT_TIMEOUT_NANOS);
    sim.close();
    return new EngineRunStats(sim, 0, 75 * SECOND);
  }
}
