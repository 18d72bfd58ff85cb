package dev.spillway.bench.scenario;

import static dev.spillway.bench.scenario.UnknownCapacityReportSeries.constant;
import static dev.spillway.bench.scenario.UnknownCapacityReportSeries.times;
import static dev.spillway.bench.scenario.UnknownCapacityReportSeries.values;
import static dev.spillway.bench.scenario.UnknownCapacityTargets.CONVERGENCE_TARGET_S;
import static dev.spillway.bench.scenario.UnknownCapacityTargets.RECOVERY_TARGET_S;
import static dev.spillway.bench.scenario.UnknownCapacityTargets.ms;
import static dev.spillway.bench.scenario.UnknownCapacityTargets.ratio;
import static dev.spillway.bench.scenario.UnknownCapacityTargets.recoveryVerdict;
import static dev.spillway.bench.scenario.UnknownCapacityTargets.settleVerdict;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One backend's dynamics on the unknown-capacity page, the sections that follow a run over time: the spike (what
 * each target served during it, what it shed or failed after it, its queues, and the recovery verdict, with the
 * rule it is judged by) and the convergence of Spillway's limit from far below and far above the best static one.
 */
final class UnknownCapacityDynamicsReport {
  private UnknownCapacityDynamicsReport() {}

  /** The spike section of {@code res.spikes}, which must not be empty. */
  static void spike(Report r, UnknownCapacityResults res) {
    String key = res.backend.key();
    int[] ph = res.spikePhases;
    int total = ph[0] + ph[1] + ph[2];
    double base = res.spikeRate * UnknownCapacityTargets.SPIKE_BASE_MULTIPLE;
    boolean ttftJudged = base >= SpikeRecovery.MIN_TTFT_ANSWERS_PER_SECOND;
    r.heading(4, "Spike (" + key + "): 0.8×, then 10× for " + ph[1] + " s, then 0.8×");
    r.text(rule(ph, base, ttftJudged));
    MarkdownTable t = new MarkdownTable("target", ttftJudged ? ">pre-spike TTFT p99 ms" : ">pre-spike TTFT p99 ms (not judged)",
        ">goodput in spike req/s", ">of best", ">shed in spike", ">errors", ">shed or failed after the spike",
        "queued after the spike (most of the per-second least; pre-spike)", ">recovery");
    double[] xs = new double[total];
    for (int i = 0; i < total; i++) {
      xs[i] = i;
    }
    SvgChart chart = SvgChart.lines("Goodput over time, 1 s buckets (" + key + ", spike " + ph[0] + "–"
        + (ph[0] + ph[1]) + " s)", "time (s)", "successful answers / s");
    chart.line("backend's best", xs, constant(total, res.calibration.goodput()));
    SvgChart queued = SvgChart.lines("Requests queued, least per second (" + key + ", spike " + ph[0] + "–"
        + (ph[0] + ph[1]) + " s)", "time (s)", "requests waiting");
    boolean anyQueue = false;
    for (Map.Entry<String, UnknownCapacityResults.Traced> e : res.spikes.entrySet()) {
      RunStats s = e.getValue().stats();
      double[] g = s.goodputBins(total);
      double[] shed = s.shedBins(total);
      double[] refused = SpikeRecovery.refusedBins(s, total);
      long shedInSpike = 0;
      double okInSpike = 0;
      long refusedAfter = 0;
      for (int b = ph[0]; b < ph[0] + ph[1]; b++) {
        shedInSpike += (long) shed[b];
        okInSpike += g[b];
      }
      for (int b = ph[0] + ph[1]; b < total; b++) {
        refusedAfter += (long) refused[b];
      }
      SpikeRecovery.Result rec = SpikeRecovery.judge(e.getValue(), ph, base);
      List<String> queues = new ArrayList<>();
      for (SpikeRecovery.Queue q : rec.queues()) {
        double most = 0;
        for (int b = ph[0] + ph[1]; b < total; b++) {
          most = Math.max(most, q.perSecondMin()[b]);
        }
        queues.add(q.name() + " " + Fmt.num(most) + " (" + Fmt.num(q.preSpike()) + ")");
        queued.line(e.getKey() + ": " + q.name(), xs, q.perSecondMin());
        anyQueue = true;
      }
      t.row(e.getKey(), ms(rec.preSpikeTtftMs()), Fmt.num(okInSpike / ph[1]),
          Fmt.pct(okInSpike / ph[1] / res.calibration.goodput()), shedInSpike, s.errors(), refusedAfter,
          queues.isEmpty() ? "none" : String.join("; ", queues), recoveryVerdict(res, e.getValue()));
      chart.line(e.getKey(), xs, g);
    }
    r.table(t);
    r.chart(key + "-spike", "Goodput over time during the spike (" + key + ")", chart);
    if (anyQueue) {
      r.chart(key + "-spike-queued", "Requests queued during the spike (" + key + ")", queued);
    }
  }

  /** The recovery rule, the same for every target, and whether this backend's rate lets TTFT be judged. */
  private static String rule(int[] ph, double base, boolean ttftJudged) {
    return ph[0] + " s at 0.8× capacity (" + Fmt.num(base) + " req/s), " + ph[1] + " s at 10×, " + ph[2]
        + " s at 0.8× (Poisson). Recovery, the issue's \"full goodput again\": the seconds after the spike until "
        + "every later second is calm, with the same rule for every target. A second is calm when (1) no answer "
        + "completed in it was shed or failed; (2) nothing is queued for good: each queue in front of the "
        + "backend's compute that the target and backend have (Spillway's waiting room `"
        + AdaptiveConfig.QUEUE_GAUGE + "`; the LLM engine's `" + EngineTrace.WAITING + "`), scraped every 250 ms, "
        + "has a least value in the second (the last one before it when a scrape is missing) no higher than in "
        + "any second before the spike: a queue that fills and drains within a second is a step boundary, one "
        + "that never empties is a backlog; (3) when 0.8× brings at least "
        + Math.round(SpikeRecovery.MIN_TTFT_ANSWERS_PER_SECOND) + " requests a second, the second's TTFT p99 (streams "
        + "and non-streams, by intended start) is within 1.5× of the pre-spike p99 (from the second second to the "
        + "spike). " + (ttftJudged ? "Here it does, so (3) applies." : "Here it does not (" + Fmt.num(base)
        + " req/s): a one-second p99 would be the slowest of about " + Math.round(base) + " answers, which on "
        + "this backend measures their prompt length (16–8,192 tokens) and, for non-streamed answers whose head "
        + "comes with the whole answer, their answer length, not a backlog; (2) sees the backlog four times a "
        + "second whatever the rate.") + " Target ≤ " + RECOVERY_TARGET_S + " s.";
  }

  /** The convergence section of {@code res.convergence}, which must not be empty. */
  static void convergence(Report r, UnknownCapacityResults res) {
    String key = res.backend.key();
    double best = res.calibration.bestLimit();
    r.heading(4, "Convergence of the limit (" + key + ")");
    r.text(String.format(Locale.ROOT, "Spillway started with `concurrency: {mode: adaptive, limit: N}` for N = 4 and "
        + "N = 1024, at %s× capacity for %s s. Settled: the time after which every scraped value stays within "
        + "±10 %% of the best static limit (%s); target ≤ %s s.", Fmt.num(res.convergenceMultiple),
        Fmt.num(res.convergenceSeconds), Fmt.num(best), Fmt.num(CONVERGENCE_TARGET_S))
        + (res.convergence.stream().anyMatch(run -> run.label().startsWith(UnknownCapacityScenario.ENGINE_CONVERGENCE_PREFIX))
        ? " The \"" + UnknownCapacityScenario.ENGINE_CONVERGENCE_PREFIX + "\" runs add `engineSignal: "
        + AdaptiveConfig.engineSignal() + "`"
        + " (gateways of their own; the latency limit and the engine limit both start at N)." : ""));
    MarkdownTable t = new MarkdownTable("run", "settled within ±10 %", ">limit, last quarter (mean)", ">goodput of best",
        ">stream TTFT p99 / unloaded", ">shed");
    SvgChart chart = SvgChart.lines("Spillway's limit over time (" + key + ", " + Fmt.num(res.convergenceMultiple)
        + "× capacity)", "time (s)", "concurrency limit");
    double end = res.convergenceSeconds;
    chart.line("best static limit", new double[] {0, end}, new double[] {best, best});
    for (UnknownCapacityResults.Traced run : res.convergence) {
      if (run.failure() != null) {
        t.row(run.label(), "not run: " + run.failure(), "-", "-", "-", "-");
        continue;
      }
      t.row(run.label(), settleVerdict(run, best), Fmt.num(Convergence.mean(run.limit(), end * 0.75, end)),
          Fmt.pct(run.stats().goodput() / res.calibration.goodput()),
          ratio(run.stats().ttftMs(true, 99), res.calibration.unloadedStreamP99()), run.stats().shed());
      chart.line(run.label(), times(run.limit()), values(run.limit()));
    }
    r.table(t);
    r.chart(key + "-limit", "Spillway's limit over time from far below and far above (" + key + ")", chart);
  }
}
