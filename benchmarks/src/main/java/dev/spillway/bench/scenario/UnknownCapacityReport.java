package dev.spillway.bench.scenario;

import static dev.spillway.bench.scenario.UnknownCapacityTargets.ms;

import java.util.List;
import java.util.Locale;

/**
 * The page of the unknown-capacity scenario ({@code unknown-capacity.md} and its charts): what the scenario
 * does, the targets at a glance, then per backend its calibration and its sections in order (the load sweep
 * side by side with its targets, the spike, the convergence of the limit, the long-answer mix and the overflow
 * tier). Each section is a class of its own; this one lays them out.
 */
final class UnknownCapacityReport {
  private final ScenarioOptions o;
  private final List<UnknownCapacityResults> all;

  UnknownCapacityReport(ScenarioOptions o, List<UnknownCapacityResults> all) {
    this.o = o;
    this.all = all;
  }

  Report write(String name) {
    Report r = new Report(name, o.outDir());
    r.heading(2, "Unknown capacity: does Spillway find a backend's capacity on its own?");
    r.text("Spillway's whole concurrency config is `concurrency: " + AdaptiveConfig.ADAPTIVE + "` with its defaults: "
        + "it is never told the backend's capacity. nginx is told it (`limit_conn` = the backend's best static "
        + "limit, 503 past it, no queue); \"Spillway, no limit\" is a plain proxy. Each backend's best goodput "
        + "and best static limit come from its model (the fixed mock: slots / latency; the simulator: its "
        + "documented step-time model for this request mix), cross-checked by a saturating run straight to it; "
        + "a run straight to it at half capacity gives the unloaded time to first token (TTFT). Between runs the "
        + "client closes what is left and waits until every backend is idle. Load is open-loop and seeded: "
        + "Poisson arrivals at 0.5× to 10× capacity, and bursty arrivals (hyperexponential gaps, coefficient of "
        + "variation 3) at 1×. "
        + "TTFT is measured from the intended start: the first content event of a stream, the response head of a "
        + "non-streamed answer. Requests still running " + "when a run's drain time is over are given up on and "
        + "counted apart (\"abandoned\"); one still waiting for its first token then counts as slower than every "
        + "measured one, so a percentile that lands among them reads \"> run\". Spillway's limit is scraped from "
        + "its admin `/metrics` (`" + AdaptiveConfig.LIMIT_GAUGE + "`) every 250 ms. " + Scenarios.machine(o));
    UnknownCapacitySummaryReport.write(r, all);
    for (UnknownCapacityResults res : all) {
      backend(r, res);
    }
    r.write();
    return r;
  }

  /** One backend: its notes, its calibration (what every section's ratios refer to), then its sections. */
  private static void backend(Report r, UnknownCapacityResults res) {
    CapacityBackend b = res.backend;
    r.heading(3, "Backend: " + b.label());
    for (String note : res.notes) {
      r.text("**Note:** " + note);
    }
    UnknownCapacityResults.Calibration c = res.calibration;
    if (c == null) {
      r.text("Not measured: the backend did not start or its calibration failed.");
      return;
    }
    r.text(String.format(Locale.ROOT, "Requests: %s. Client timeout %d s. The backend's best: **%s req/s, %s "
        + "answer tokens/s**, best static limit **%s** (%s). Unloaded (straight, at half capacity): stream TTFT p99 "
        + "%s, non-streamed response head p99 %s, %s tokens/s per stream, mean answer time %.2f s.",
        b.mix().describe(), b.timeout().toSeconds(), Fmt.num(c.goodput()), Fmt.num(c.tokenGoodput()),
        Fmt.num(c.bestLimit()), c.method(), withUnit(c.unloadedStreamP99()), withUnit(c.unloadedJsonP99()),
        Fmt.num(c.decodeTokensPerSecond()), c.meanServiceSeconds()));
    // A part left out of the run (-Dunknown.parts) has no section.
    if (!res.sweep.isEmpty()) {
      UnknownCapacitySweepReport.write(r, res);
    }
    if (!res.spikes.isEmpty()) {
      UnknownCapacityDynamicsReport.spike(r, res);
    }
    if (!res.convergence.isEmpty()) {
      UnknownCapacityDynamicsReport.convergence(r, res);
    }
    if (res.mix != null) {
      UnknownCapacityMixReport.write(r, res);
    }
    if (res.overflow != null) {
      UnknownCapacityOverflowReport.write(r, res);
    }
  }

  /** Milliseconds with their unit, or why there is no number. */
  private static String withUnit(double millis) {
    String text = ms(millis);
    return Double.isInfinite(millis) ? "longer than the run allowed" : text + " ms";
  }
}
