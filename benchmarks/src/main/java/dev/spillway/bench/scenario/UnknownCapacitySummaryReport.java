package dev.spillway.bench.scenario;

import static dev.spillway.bench.scenario.UnknownCapacityTargets.goodputTarget;
import static dev.spillway.bench.scenario.UnknownCapacityTargets.mixVerdict;
import static dev.spillway.bench.scenario.UnknownCapacityTargets.recoveryVerdict;
import static dev.spillway.bench.scenario.UnknownCapacityTargets.settleVerdict;
import static dev.spillway.bench.scenario.UnknownCapacityTargets.shedTarget;
import static dev.spillway.bench.scenario.UnknownCapacityTargets.ttftTarget;
import static dev.spillway.bench.scenario.UnknownCapacityTargets.zeroShed;

import java.util.List;

/**
 * The unknown-capacity page's "Targets at a glance": for every backend, each target of Spillway adaptive (and of
 * adaptive with engine signals where it ran) met or missed, with the number; then what the engine-signal row is.
 * It comes first on the page, so a reader sees the verdicts before the tables they rest on.
 */
final class UnknownCapacitySummaryReport {
  /** The engine-signal target's row in the summary. */
  private static final String ENGINE_ROW = "adaptive + engine signals"
      + ("override".equals(AdaptiveConfig.engineCombine()) ? " (combine: override)" : "");

  private UnknownCapacitySummaryReport() {}

  static void write(Report r, List<UnknownCapacityResults> all) {
    r.heading(3, "Targets at a glance (Spillway adaptive, never told the capacity)");
    MarkdownTable t = new MarkdownTable("backend", "Spillway", "zero sheds at 0.5×",
        "tokens delivered ≥ 95 % of best at 2–10×", "TTFT p99 ≤ 1.5× unloaded at 2–10×", "shed p99 ≤ 2 ms",
        "recovery ≤ 5 s", "converges ±10 % in ≤ 10 s", "no shed with free slots (long answers)");
    for (UnknownCapacityResults res : all) {
      List<UnknownCapacityResults.Cell> cells = res.sweep.get(UnknownCapacityScenario.ADAPTIVE_LABEL);
      if (cells == null || res.calibration == null) {
        t.row(res.backend.key(), "adaptive", "not run", "-", "-", "-", "-", "-", "-");
        continue;
      }
      UnknownCapacityResults.Traced spike = res.spikes.get(UnknownCapacityScenario.ADAPTIVE_LABEL);
      t.row(res.backend.key(), "adaptive", zeroShed(cells), goodputTarget(res, cells), ttftTarget(res, cells),
          shedTarget(cells), spike == null ? "not run" : recoveryVerdict(res, spike), convergence(res, false),
          mixVerdict(res));
      List<UnknownCapacityResults.Cell> engine = res.sweep.get(UnknownCapacityScenario.ENGINE_LABEL);
      if (engine != null) {
        UnknownCapacityResults.Traced engineSpike = res.spikes.get(UnknownCapacityScenario.ENGINE_LABEL);
        // The engine-signal gateways do not run the long-answer mix.
        t.row(res.backend.key(), ENGINE_ROW, zeroShed(engine), goodputTarget(res, engine),
            ttftTarget(res, engine), shedTarget(engine), engineSpike == null ? "not run"
                : recoveryVerdict(res, engineSpike), convergence(res, true), "not run");
      }
    }
    r.table(t);
    if (all.stream().anyMatch(res -> res.sweep.containsKey(UnknownCapacityScenario.ENGINE_LABEL))) {
      boolean override = "override".equals(AdaptiveConfig.engineCombine());
      r.text("\"" + ENGINE_ROW + "\" is `concurrency: " + AdaptiveConfig.ENGINE_SIGNAL + "`, every other "
          + "setting its default: " + (override ? "an engine limit alone (the adaptive limit applies only while "
          + "the engine metrics are stale)" : "the adaptive limit, bounded by an engine limit") + " that keeps "
          + "the engine's own waiting queue (`vllm:num_requests_waiting`, scraped by Spillway every 500 ms) near 2 "
          + "([admission.md](../admission.md#engine-signals-admission-from-the-engines-own-queues)); it is run "
          + "on the backend that serves engine metrics, in the sweep, the spike and convergence (gateways of its "
          + "own), not in the long-answer mix.");
    }
  }

  /** The convergence verdicts of the engine-signal gateways' runs, or of the others'. */
  private static String convergence(UnknownCapacityResults res, boolean engine) {
    List<String> parts = res.convergence.stream()
        .filter(run -> run.label().startsWith(UnknownCapacityScenario.ENGINE_CONVERGENCE_PREFIX) == engine)
        .map(run -> run.failure() != null ? "not run" : settleVerdict(run, res.calibration.bestLimit()))
        .toList();
    return parts.isEmpty() ? "not run" : String.join("; ", parts);
  }
}
