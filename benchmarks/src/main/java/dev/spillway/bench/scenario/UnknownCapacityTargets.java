package dev.spillway.bench.scenario;

import dev.spillway.bench.load.LoadResult;
import java.util.ArrayList;
import java.util.List;

/**
 * The targets of the unknown-capacity scenario and how each is judged: met or missed, always with the number.
 */
final class UnknownCapacityTargets {
  static final double GOODPUT_TARGET = 0.95;
  static final double TTFT_RATIO_TARGET = 1.5;
  static final double SHED_P99_TARGET_MS = 2;
  static final double CONVERGENCE_TOLERANCE = 0.10;
  static final double CONVERGENCE_TARGET_S = 10;
  static final int RECOVERY_TARGET_S = 5;
  /** The spike run's load before and after the spike, as a multiple of capacity. */
  static final double SPIKE_BASE_MULTIPLE = 0.8;

  private UnknownCapacityTargets() {}

  static double preSpikeP99(RunStats s, int before) {
    // From the second second on: the first holds the run's cold start.
    long from = before > 1 ? 1_000_000_000L : 0;
    long to = before * 1_000_000_000L;
    return Math.max(nanToZero(s.ttftMs(true, 99, from, to)), nanToZero(s.ttftMs(false, 99, from, to)));
  }

  /** The recovery target, judged by {@link SpikeRecovery}. */
  static String recoveryVerdict(UnknownCapacityResults res, UnknownCapacityResults.Traced run) {
    int[] ph = res.spikePhases;
    int rec = SpikeRecovery.judge(run, ph, res.spikeRate * SPIKE_BASE_MULTIPLE).seconds();
    if (rec < 0) {
      return "MISSED: not within " + ph[2] + " s";
    }
    return verdict(rec <= RECOVERY_TARGET_S, rec + " s");
  }

  static String settleVerdict(UnknownCapacityResults.Traced run, double best) {
    double s = Convergence.settleSeconds(run.limit(), best, CONVERGENCE_TOLERANCE, 0);
    if (Double.isNaN(s)) {
      return "MISSED: no limit scraped";
    }
    if (s < 0) {
      return "MISSED: not settled (last " + Fmt.num(run.limit().get(run.limit().size() - 1).value()) + ")";
    }
    return verdict(s <= CONVERGENCE_TARGET_S, Fmt.num(s) + " s");
  }

  static String convergenceVerdict(UnknownCapacityResults res) {
    if (res.convergence.isEmpty()) {
      return "not run";
    }
    List<String> parts = new ArrayList<>();
    for (UnknownCapacityResults.Traced run : res.convergence) {
      parts.add(run.failure() != null ? "not run" : settleVerdict(run, res.calibration.bestLimit()));
    }
    return String.join("; ", parts);
  }

  /**
   * The long-answer target: no shed while the backend had free room. Judged by the engine's own gauges when
   * the backend has them ({@link #engineFreeSlotSheds}), else by Spillway's in-flight count against the
   * backend's slots ({@link #freeSlotSheds}, exact for the fixed mock).
   */
  static String mixVerdict(UnknownCapacityResults res) {
    UnknownCapacityResults.Traced run = res.mix;
    if (run == null || run.failure() != null) {
      return "not run";
    }
    long n = run.engine().present() && res.mixRoom != null ? engineFreeSlotSheds(run, res.mixRoom).withRoom()
        : freeSlotSheds(run, res.mixSlots);
    return verdict(n == 0, n + " of " + run.stats().shed() + " sheds");
  }

  /** Engine-judged sheds: with room in the engine, and without an engine sample to judge by. */
  record EngineSheds(long withRoom, long unjudged) {}

  /** How old the engine's last sample before a shed may be: two scrape periods. */
  static final double ENGINE_SAMPLE_MAX_AGE_S = 2 * UnknownCapacityScenario.SCRAPE_PERIOD.toMillis() / 1000.0;

  /**
   * Sheds answered while the engine had room for a request ({@link EngineRoom#hadRoom}), by its last sample of
   * running, waiting and KV-cache fill before the shed answer (at most {@link #ENGINE_SAMPLE_MAX_AGE_S} old);
   * a shed without such a sample is counted apart as unjudged.
   */
  static EngineSheds engineFreeSlotSheds(UnknownCapacityResults.Traced run, EngineRoom room) {
    EngineTrace e = run.engine();
    long withRoom = 0;
    long unjudged = 0;
    for (LoadResult.Record rec : run.stats().records()) {
      if (!rec.shed()) {
        continue;
      }
      double t = rec.endNanos() / 1e9;
      MetricsScraper.Sample running = EngineTrace.at(e.running(), t, ENGINE_SAMPLE_MAX_AGE_S);
      MetricsScraper.Sample waiting = EngineTrace.at(e.waiting(), t, ENGINE_SAMPLE_MAX_AGE_S);
      MetricsScraper.Sample kv = EngineTrace.at(e.kvUsage(), t, ENGINE_SAMPLE_MAX_AGE_S);
      if (running == null || waiting == null || kv == null) {
        unjudged++;
      } else if (room.hadRoom(running.value(), waiting.value(), kv.value())) {
        withRoom++;
      }
    }
    return new EngineSheds(withRoom, unjudged);
  }

  /** Sheds answered while the last in-flight sample before them was below the backend's slots. */
  static long freeSlotSheds(UnknownCapacityResults.Traced run, int slots) {
    long n = 0;
    for (LoadResult.Record rec : run.stats().records()) {
      if (!rec.shed()) {
        continue;
      }
      double t = rec.endNanos() / 1e9;
      double inFlight = Double.NaN;
      for (MetricsScraper.Sample sample : run.inFlight()) {
        if (sample.seconds() > t) {
          break;
        }
        inFlight = sample.value();
      }
      if (!Double.isNaN(inFlight) && inFlight < slots) {
        n++;
      }
    }
    return n;
  }

  static String zeroShed(List<UnknownCapacityResults.Cell> cells) {
    long shed = cells.get(0).stats().shed();
    return verdict(shed == 0, Long.toString(shed));
  }

  /** Judged on answer tokens delivered: the decode throughput clients got, smooth even with long answers. */
  static String goodputTarget(UnknownCapacityResults res, List<UnknownCapacityResults.Cell> cells) {
    double worst = Double.POSITIVE_INFINITY;
    for (UnknownCapacityResults.Cell cell : overloaded(cells)) {
      worst = Math.min(worst, cell.stats().deliveredTokensPerSecond() / res.calibration.tokenGoodput());
    }
    return verdict(worst >= GOODPUT_TARGET, "worst " + Fmt.pct(worst));
  }

  static String ttftTarget(UnknownCapacityResults res, List<UnknownCapacityResults.Cell> cells) {
    double worst = worstRatio(cells, true, res.calibration.unloadedStreamP99());
    if (!Double.isNaN(worst)) {
      return verdict(worst <= TTFT_RATIO_TARGET, "worst " + ratio(worst));
    }
    // No streams (-Dunknown.streamShare=0): a non-streamed answer's first byte is its whole answer, judged
    // against the unloaded one the same way.
    double json = worstRatio(cells, false, res.calibration.unloadedJsonP99());
    return Double.isNaN(json) ? "not measured"
        : "no streams; JSON answers " + verdict(json <= TTFT_RATIO_TARGET, "worst " + ratio(json));
  }

  /** The worst p99 over the unloaded one at 2–10× for streams or JSON answers; NaN when none was measured. */
  private static double worstRatio(List<UnknownCapacityResults.Cell> cells, boolean stream, double unloaded) {
    double worst = Double.NaN;
    for (UnknownCapacityResults.Cell cell : overloaded(cells)) {
      double ratio = cell.stats().ttftMs(stream, 99) / unloaded;
      if (!Double.isNaN(ratio)) {
        worst = Double.isNaN(worst) ? ratio : Math.max(worst, ratio);
      }
    }
    return worst;
  }

  /**
   * The shed-latency target, judged twice: by the client's time from the intended start (what a caller waits,
   * load generator and machine included) and by Spillway's own time from the request head to the answer
   * flushed ({@code spillway_shed_duration_seconds}); a reader sees which side misses.
   */
  static String shedTarget(List<UnknownCapacityResults.Cell> cells) {
    double client = Double.NaN;
    double gateway = Double.NaN;
    for (UnknownCapacityResults.Cell cell : cells) {
      client = worst(client, cell.stats().shedMs(99));
      gateway = worst(gateway, cell.gatewayShedP99Ms());
    }
    if (Double.isNaN(client)) {
      return "no shedding";
    }
    String out = "client " + verdict(client <= SHED_P99_TARGET_MS, "worst " + ms(client) + " ms");
    return Double.isNaN(gateway) ? out
        : out + "; Spillway's own " + verdict(gateway <= SHED_P99_TARGET_MS, "worst " + ms(gateway) + " ms");
  }

  private static double worst(double worst, double v) {
    return Double.isNaN(v) ? worst : Double.isNaN(worst) ? v : Math.max(worst, v);
  }

  static List<UnknownCapacityResults.Cell> overloaded(List<UnknownCapacityResults.Cell> cells) {
    return cells.stream().filter(c -> c.point().multiple() >= 2).toList();
  }

  /** A ratio; "> run" when its numerator was censored (slower than the run allowed), "-" when unknown. */
  static String ratio(double v) {
    return Double.isInfinite(v) ? "> run" : Fmt.ratio(v);
  }

  /** {@code value / reference}; "-" when the reference is unknown or itself censored (then no ratio holds). */
  static String ratio(double value, double reference) {
    return Double.isNaN(reference) || Double.isInfinite(reference) ? "-" : ratio(value / reference);
  }

  static String verdict(boolean met, String value) {
    return (met ? "met: " : "MISSED: ") + value;
  }

  /** Milliseconds with a precision that suits the size; "-" for none, "> run" for censored. */
  static String ms(double millis) {
    if (Double.isNaN(millis)) {
      return "-";
    }
    if (Double.isInfinite(millis)) {
      return "> run";
    }
    return Fmt.ms(millis * 1000);
  }

  static double nanToZero(double v) {
    return Double.isNaN(v) ? 0 : v;
  }
}
