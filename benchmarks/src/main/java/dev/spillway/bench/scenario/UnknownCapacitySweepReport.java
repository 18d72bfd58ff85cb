package dev.spillway.bench.scenario;

import static dev.spillway.bench.scenario.UnknownCapacityReportSeries.constant;
import static dev.spillway.bench.scenario.UnknownCapacityTargets.goodputTarget;
import static dev.spillway.bench.scenario.UnknownCapacityTargets.ms;
import static dev.spillway.bench.scenario.UnknownCapacityTargets.ratio;
import static dev.spillway.bench.scenario.UnknownCapacityTargets.shedTarget;
import static dev.spillway.bench.scenario.UnknownCapacityTargets.ttftTarget;
import static dev.spillway.bench.scenario.UnknownCapacityTargets.zeroShed;

import dev.spillway.bench.load.Arrivals;
import java.util.List;
import java.util.Map;

/**
 * One backend's load sweep on the unknown-capacity page: every target at every load level side by side (goodput,
 * tokens, sheds and their latency three ways, TTFT against the unloaded one, Spillway's limit), the goodput and
 * TTFT charts over the Poisson levels, and the sweep's targets per target, met or missed.
 */
final class UnknownCapacitySweepReport {
  private UnknownCapacitySweepReport() {}

  /** The section of {@code res.sweep}, which must not be empty. */
  static void write(Report r, UnknownCapacityResults res) {
    UnknownCapacityResults.Calibration c = res.calibration;
    String key = res.backend.key();
    r.heading(4, "Load sweep (" + key + ")");
    MarkdownTable t = new MarkdownTable("target", ">offered", ">offered req/s", ">goodput req/s", ">of best",
        ">tokens/s delivered", ">tokens of best", ">shed", ">shed p99 ms", ">shed p99 from send ms",
        ">Spillway shed p99 ms (gateway)", ">stream TTFT p50 ms", ">stream TTFT p99 ms",
        ">stream p99 / unloaded", ">JSON head p99 ms", ">JSON p99 / unloaded", ">errors", ">abandoned",
        ">Spillway limit");
    SvgChart goodput = SvgChart.lines("Goodput against offered load (" + key + ", best " + Fmt.num(c.goodput())
        + " req/s)", "offered load (× measured capacity)", "successful answers / s");
    SvgChart ttft = SvgChart.lines("Admitted stream TTFT p99 against offered load (" + key + ")",
        "offered load (× measured capacity)", "TTFT p99 (ms)");
    double[] xs = UnknownCapacityScenario.MULTIPLES;
    goodput.line("backend's best", xs, constant(xs.length, c.goodput()));
    for (Map.Entry<String, List<UnknownCapacityResults.Cell>> e : res.sweep.entrySet()) {
      double[] g = new double[xs.length];
      double[] p = new double[xs.length];
      int i = 0;
      for (UnknownCapacityResults.Cell cell : e.getValue()) {
        RunStats s = cell.stats();
        double offered = c.goodput() * cell.point().multiple();
        double streamP99 = s.ttftMs(true, 99);
        double jsonP99 = s.ttftMs(false, 99);
        t.row(e.getKey(), cell.point().label(), Fmt.num(offered), Fmt.num(s.goodput()),
            Fmt.pct(s.goodput() / c.goodput()), Fmt.num(s.deliveredTokensPerSecond()),
            Fmt.pct(s.deliveredTokensPerSecond() / c.tokenGoodput()),
            s.shed(), ms(s.shedMs(99)), ms(s.shedFromSentMs(99)), ms(cell.gatewayShedP99Ms()),
            ms(s.ttftMs(true, 50)), ms(streamP99),
            ratio(streamP99, c.unloadedStreamP99()), ms(jsonP99), ratio(jsonP99, c.unloadedJsonP99()),
            s.errors(), s.abandoned(), Double.isNaN(cell.meanLimit()) ? "-" : Fmt.num(cell.meanLimit()));
        // The charts' x axis is the Poisson multiples; the bursty level is in the table only.
        if (cell.point().arrivals().kind() == Arrivals.Kind.POISSON && i < xs.length) {
          g[i] = s.goodput();
          p[i] = Double.isInfinite(streamP99) ? Double.NaN : streamP99;
          i++;
        }
      }
      goodput.line(e.getKey(), xs, g);
      ttft.line(e.getKey(), xs, p);
    }
    r.table(t);
    r.text("The Poisson levels run as one staircase per target, without a pause between levels; each level is "
        + "measured over its last " + Fmt.num(res.sweep.values().iterator().next().get(0).stats().windowSeconds())
        + " s (the first seconds of a level let the backend settle): requests by intended start, goodput as 2xx "
        + "answers completed in that time, per second; \"tokens/s delivered\" counts each streamed token when it "
        + "arrived and a non-streamed answer's tokens when it completed (the decode throughput clients got; the "
        + "goodput target is judged on it). The bursty level is a run of its own, "
        + "measured the same way. \"Spillway "
        + "limit\" is the mean of the scraped limit over the second half of each level. Ratios compare with the "
        + "unloaded p99 above: streams' TTFT, and non-streamed answers' response head. Shed answers are timed "
        + "three ways, so that a reader sees where the time goes: \"shed p99\" from the intended start (what the "
        + "target judges: it includes the load generator's own lateness in sending), \"from send\" from when the "
        + "generator wrote the request (kernel, scheduling and the proxy), and \"Spillway shed p99 (gateway)\", "
        + "Spillway's own time from the request head to the answer written and flushed (`"
        + UnknownCapacitySweep.SHED_TIME + "`, scraped every 250 ms; the p99 of the bucket deltas over the "
        + "measured window, interpolated within its bucket; \"-\" for nginx, which has no such histogram, and "
        + "for a Spillway that shed nothing itself). The load generator, the proxies and the backend share the "
        + "machine's cores: nginx's client-side columns beside Spillway's show what the machine and the "
        + "generator add to any proxy's shed answer.");
    r.chart(key + "-goodput", "Goodput against offered load (" + key + ")", goodput);
    r.chart(key + "-ttft", "Stream TTFT p99 against offered load (" + key + ")", ttft);
    targets(r, res, key);
  }

  /** The sweep's four targets for every target, Spillway or not, so a reader can compare verdicts. */
  private static void targets(Report r, UnknownCapacityResults res, String key) {
    r.heading(4, "Targets (" + key + ")");
    MarkdownTable targets = new MarkdownTable("target", "zero sheds at 0.5×", "tokens delivered ≥ 95 % of best at 2–10×",
        "stream TTFT p99 ≤ 1.5× unloaded at 2–10×", "shed p99 ≤ 2 ms");
    for (Map.Entry<String, List<UnknownCapacityResults.Cell>> e : res.sweep.entrySet()) {
      targets.row(e.getKey(), zeroShed(e.getValue()), goodputTarget(res, e.getValue()), ttftTarget(res, e.getValue()),
          shedTarget(e.getValue()));
    }
    r.table(targets);
  }
}
