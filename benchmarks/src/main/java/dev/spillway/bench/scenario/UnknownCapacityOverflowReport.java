package dev.spillway.bench.scenario;

import static dev.spillway.bench.scenario.Convergence.mean;
import static dev.spillway.bench.scenario.UnknownCapacityReportSeries.pair;
import static dev.spillway.bench.scenario.UnknownCapacityReportSeries.times;
import static dev.spillway.bench.scenario.UnknownCapacityReportSeries.values;
import static dev.spillway.bench.scenario.UnknownCapacityTargets.ms;
import static dev.spillway.bench.scenario.UnknownCapacityTargets.ratio;

import java.util.ArrayList;
import java.util.List;

/**
 * One backend's two-tier run on the unknown-capacity page: the overflow route, goodput against one and two
 * backends' best in the cold start, the steady state and the whole run, both tiers' limits (and engines' queues
 * where the backend reports them), and their limits and in-flight counts over time.
 */
final class UnknownCapacityOverflowReport {
  private UnknownCapacityOverflowReport() {}

  /** The section of {@code res.overflow}, which must have run (or failed). */
  static void write(Report r, UnknownCapacityResults res) {
    UnknownCapacityResults.Traced run = res.overflow;
    r.heading(4, "Two tiers at " + Fmt.num(res.overflowMultiple) + "× (" + res.backend.key() + ")");
    r.text("A second, identical backend as the route's second tier, configured for overflow:\n\n```yaml\n"
        + AdaptiveConfig.OVERFLOW_ROUTE + "```\n\nBoth backends have `concurrency: " + AdaptiveConfig.ADAPTIVE
        + "`. With overflow, goodput can reach twice one backend's best. The run lasts "
        + Fmt.num(res.overflowSeconds) + " s from a cold start (a fresh Spillway: both limits start unknown); "
        + "its first seconds show the limits' start, its second half the steady state.");
    if (run.failure() != null) {
      r.text("Not run: " + run.failure());
      return;
    }
    boolean engines = run.engines().size() == 2 && run.engines().get(0).present();
    table(r, res, engines);
    r.text("\"limits\" are the means of each backend's scraped limit in the window." + (engines ? " The engines' "
        + "own gauges (`" + EngineTrace.WAITING + "`, `" + EngineTrace.RUNNING + "`, scraped every 250 ms) show "
        + "whether a tier queued: requests waiting in an engine wait behind its KV-cache-bound batch, where "
        + "Spillway's limit does not see them." : ""));
    chart(r, res, engines);
  }

  /** The cold start, the steady state (the second half) and the whole run, a row each. */
  private static void table(Report r, UnknownCapacityResults res, boolean engines) {
    UnknownCapacityResults.Traced run = res.overflow;
    double seconds = res.overflowSeconds;
    double coldEnd = Math.min(10, seconds / 2);
    List<String> columns = new ArrayList<>(List.of("window", ">offered req/s", ">goodput req/s",
        ">of one backend's best", ">of two backends' best", ">shed", ">stream TTFT p99 ms", ">p99 / unloaded",
        ">errors", ">limits (primary / overflow)"));
    if (engines) {
      columns.addAll(List.of(">engine waiting, mean (primary / overflow)", ">engine waiting, max (primary / overflow)",
          ">engine running, mean (primary / overflow)"));
    }
    MarkdownTable t = new MarkdownTable(columns.toArray(String[]::new));
    double best = res.calibration.goodput();
    for (double[] w : new double[][] {{0, coldEnd}, {seconds / 2, seconds}, {0, seconds}}) {
      RunStats s = run.stats().window(w[0], w[1]);
      String label = w[0] == 0 && w[1] == seconds ? "whole run" : Fmt.num(w[0]) + "–" + Fmt.num(w[1]) + " s";
      List<Object> row = new ArrayList<>(List.of(label, Fmt.num(best * res.overflowMultiple),
          Fmt.num(s.goodput()), Fmt.pct(s.goodput() / best), Fmt.pct(s.goodput() / (2 * best)), s.shed(),
          ms(s.ttftMs(true, 99)), ratio(s.ttftMs(true, 99), res.calibration.unloadedStreamP99()), s.errors(),
          pair(mean(run.limit(), w[0], w[1]), mean(res.overflowLimit, w[0], w[1]))));
      if (engines) {
        EngineTrace p = run.engines().get(0);
        EngineTrace o = run.engines().get(1);
        row.add(pair(mean(p.waiting(), w[0], w[1]), mean(o.waiting(), w[0], w[1])));
        row.add(pair(EngineTrace.max(p.waiting(), w[0], w[1]), EngineTrace.max(o.waiting(), w[0], w[1])));
        row.add(pair(mean(p.running(), w[0], w[1]), mean(o.running(), w[0], w[1])));
      }
      t.row(row.toArray());
    }
    r.table(t);
  }

  /** Both tiers' limits and in-flight counts over the run, and the engines' waiting queues where they have them. */
  private static void chart(Report r, UnknownCapacityResults res, boolean engines) {
    UnknownCapacityResults.Traced run = res.overflow;
    String key = res.backend.key();
    SvgChart chart = SvgChart.lines("Both tiers' limits and in-flight counts at " + Fmt.num(res.overflowMultiple)
        + "× (" + key + ")", "time (s)", "requests");
    chart.line("primary limit", times(run.limit()), values(run.limit()));
    chart.line("primary in flight", times(run.inFlight()), values(run.inFlight()));
    chart.line("overflow tier limit", times(res.overflowLimit), values(res.overflowLimit));
    chart.line("overflow tier in flight", times(res.overflowInFlight), values(res.overflowInFlight));
    if (engines) {
      chart.line("primary engine waiting", times(run.engines().get(0).waiting()), values(run.engines().get(0).waiting()));
      chart.line("overflow engine waiting", times(run.engines().get(1).waiting()),
          values(run.engines().get(1).waiting()));
    }
    r.chart(key + "-overflow", "Both tiers' limits and in-flight counts in the two-tier run (" + key + ")", chart);
  }
}
