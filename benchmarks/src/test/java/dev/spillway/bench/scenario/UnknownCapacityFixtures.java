package dev.spillway.bench.scenario;

import static dev.spillway.bench.scenario.SyntheticLoad.series;

import dev.spillway.bench.load.Arrivals;
import dev.spillway.bench.scenario.SyntheticLoad.Outcomes;
import dev.spillway.bench.scenario.UnknownCapacityResults.Calibration;
import dev.spillway.bench.scenario.UnknownCapacityResults.Cell;
import dev.spillway.bench.scenario.UnknownCapacityResults.Point;
import dev.spillway.bench.scenario.UnknownCapacityResults.Traced;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleFunction;
import java.util.function.DoubleUnaryOperator;

/**
 * Made-up results of the unknown-capacity scenario that reach every part of its page: the fixed mock with
 * nginx and an unlimited Spillway, the LLM simulator with engine signals and nginx, a backend whose later parts
 * failed, and one that was never measured; targets met and missed. Seeded, so the page is the same every time.
 */
final class UnknownCapacityFixtures {
  /** Each sweep level's measured window, seconds; its requests start a second earlier so answers flow from 0. */
  private static final double WINDOW = 4;
  private static final int[] PHASES = {3, 2, 8};
  private static final int SPIKE_SECONDS = PHASES[0] + PHASES[1] + PHASES[2];
  private static final double CONVERGENCE_SECONDS = 16;
  private static final double MIX_SECONDS = 20;
  private static final String NGINX = "nginx limit_conn 8 (told)";

  private UnknownCapacityFixtures() {}

  /** All four backends, in page order. */
  static List<UnknownCapacityResults> all() {
    return List.of(fixed(), llm(), partial(), notMeasured());
  }

  /** The fixed mock (20 req/s) against adaptive Spillway, nginx told the limit and Spillway without a limit. */
  static UnknownCapacityResults fixed() {
    UnknownCapacityResults res = new UnknownCapacityResults(CapacityBackend.fixed(8, Duration.ofMillis(400), 64));
    double cap = 20;
    res.calibration = new Calibration(cap, 8 * cap, 8, "model: 8 slots / 400 ms", 19.8, 158, 8, 410, 405, 40, 0.41);
    res.sweep.put(UnknownCapacityScenario.ADAPTIVE_LABEL, sweep(cap, 100, m -> new Outcomes(shedAbove(m, 0.99), 0, 0,
        420, 400, 0.8), m -> 7.6 + m / 10, 0.35));
    res.sweep.put(NGINX, sweep(cap, 200, m -> new Outcomes(shedAbove(m, 0.9), 0, 0, 415, 400, 2.5), m -> Double.NaN,
        Double.NaN));
    res.sweep.put(UnknownCapacityScenario.UNLIMITED_LABEL, sweep(cap, 300, m -> new Outcomes(0, m >= 5 ? 0.02 : 0,
        m >= 10 ? 0.3 : 0, 410 * Math.max(1, m), 400, 1), m -> Double.NaN, Double.NaN));
    spikes(res, cap, 1, -1, false);
    res.convergenceMultiple = 2;
    res.convergenceSeconds = CONVERGENCE_SECONDS;
    res.convergence.add(converging("start at 4 (best static 8)", cap, 400, t -> t < 3 ? 4 + 4 * t / 3 : wobble(8, t)));
    res.convergence.add(converging("start at 1024 (best static 8)", cap, 410,
        t -> Math.max(wobble(8, t), 1024 * Math.pow(0.7, t))));
    res.mixSlots = 8;
    res.mixDescription = "2.40 req/s for 20 s (60 % of 8 slots at a mean service time of 2.0 s)";
    res.mix = new Traced("long answers", new SyntheticLoad(500).phase(0, MIX_SECONDS, 2.4, new Outcomes(0.1, 0, 0.02,
        420, 400, 0.9)).stats(MIX_SECONDS), series(MIX_SECONDS, 0.25, t -> 6 + t % 4), series(MIX_SECONDS, 0.25,
        t -> 8), null);
    overflow(res, cap, 600, false);
    return res;
  }

  /** The LLM simulator (70 req/s) with engine signals: recovery, convergence and the long-answer target missed. */
  static UnknownCapacityResults llm() {
    UnknownCapacityResults res = new UnknownCapacityResults(CapacityBackend.llm(CapacityBackend.LLM_STREAM_SHARE));
    double cap = 70;
    res.calibration = new Calibration(cap, 8 * cap, 48.5, "model: step time, cross-checked", 68.9, 551, 47.2, 180,
        2600, 42.5, 2.9);
    res.sweep.put(UnknownCapacityScenario.ADAPTIVE_LABEL, sweep(cap, 1100, m -> new Outcomes(m < 1 ? 0.01
        : shedAbove(m, 0.97), 0, 0, 260, 1500, 0.9), m -> 45 + m, 2.6));
    res.sweep.put(UnknownCapacityScenario.ENGINE_LABEL, sweep(cap, 1200, m -> new Outcomes(shedAbove(m, 0.98), 0, 0,
        200, 1500, 0.7), m -> 47 + m / 2, 0.5));
    res.sweep.put(NGINX.replace(" 8 ", " 48 "), sweep(cap, 1300, m -> new Outcomes(shedAbove(m, 0.85), 0.01, 0, 185,
        1500, 1.6), m -> Double.NaN, Double.NaN));
    spikes(res, cap, 6, 2, true);
    res.convergenceMultiple = 2;
    res.convergenceSeconds = CONVERGENCE_SECONDS;
    String engine = UnknownCapacityScenario.ENGINE_CONVERGENCE_PREFIX;
    res.convergence.add(converging("start at 4 (best static 48)", cap, 1400, t -> Math.min(wobble(48.5, t),
        4 + 10 * t)));
    res.convergence.add(converging("start at 1024 (best static 48)", cap, 1410, t -> Math.max(80, 1024 - 100 * t)));
    res.convergence.add(converging(engine + "start at 4 (best static 48)", cap, 1420, t -> Math.min(wobble(48.5, t),
        4 + 7.5 * t)));
    res.convergence.add(new Traced(engine + "start at 1024 (best static 48)", null, List.of(), List.of(),
        "gateway did not start"));
    res.mixSlots = 48;
    res.mixRoom = new EngineRoom(256, 65_536, 1_024);
    res.mixDescription = "9.8 req/s for 20 s, a fifth of them non-streamed answers of 30–60 s";
    // The engine's scrapes stop at 14 s: the sheds after 16 s have no recent sample and count as unjudged.
    EngineTrace room = new EngineTrace(series(14, 0.25, t -> 30 + t), series(14, 0.25, t -> t < 10 ? 0 : 2),
        series(14, 0.25, t -> 0.5 + t / 40));
    res.mix = new Traced("long answers", new SyntheticLoad(1500).phase(0, MIX_SECONDS, 9.8, new Outcomes(0.15, 0, 0.05,
        230, 1500, 1.1)).stats(MIX_SECONDS), series(MIX_SECONDS, 0.25, t -> 40 + t), series(MIX_SECONDS, 0.25,
        t -> 30 + t / 2), null, Map.of(), List.of(room));
    overflow(res, cap, 1600, true);
    return res;
  }

  /** A small fixed mock without nginx, whose spike was not run and whose later parts failed. */
  static UnknownCapacityResults partial() {
    // A key of its own, so that its charts do not overwrite the first fixed mock's.
    CapacityBackend b = CapacityBackend.fixed(4, Duration.ofMillis(50), 64);
    UnknownCapacityResults res = new UnknownCapacityResults(new CapacityBackend("small", b.label(), b.options(),
        b.mix(), b.timeout(), b.slots(), b.modelRate(), b.runningGauge(), b.mixOptions(), b.mixShort()));
    double cap = 80;
    res.notes.add("nginx was not available here: its side-by-side runs were skipped.");
    res.calibration = new Calibration(cap, 8 * cap, 4, "model: 4 slots / 50 ms", 79.1, 630, 4, 55,
        Double.POSITIVE_INFINITY, Double.NaN, 0.05);
    res.sweep.put(UnknownCapacityScenario.ADAPTIVE_LABEL, sweep(cap, 2100, m -> new Outcomes(shedAbove(m, 0.96), 0, 0,
        60, 50, 1.2), m -> 3.5 + m / 20, Double.NaN));
    res.convergenceMultiple = 2;
    res.convergenceSeconds = 2;
    res.convergence.add(new Traced("start at 4 (best static 4)", null, List.of(), List.of(), "scrape refused"));
    res.mixSlots = 4;
    res.mixDescription = "1.2 req/s for 2 s";
    res.mix = new Traced("long answers", null, List.of(), List.of(), "the mix backend did not start");
    res.overflowMultiple = 5;
    res.overflowSeconds = 3;
    res.overflow = new Traced("two tiers at 5×", null, List.of(), List.of(), "the overflow backend did not start");
    return res;
  }

  /** A backend whose runs stopped before its calibration. */
  static UnknownCapacityResults notMeasured() {
    UnknownCapacityResults res = new UnknownCapacityResults(CapacityBackend.fixed(64, Duration.ofMillis(500), 1024));
    res.notes.add("This backend's runs stopped early: mock-backend exited with status 1");
    return res;
  }

  /** The share to shed at {@code m}× capacity when a target answers {@code served} of capacity at most. */
  private static double shedAbove(double m, double served) {
    return Math.max(0, 1 - served / m);
  }

  /** Within ±5 % of {@code v}, alternating every half second. */
  private static double wobble(double v, double t) {
    return v * ((int) (t * 2) % 2 == 0 ? 1.03 : 0.97);
  }

  /** The sweep's levels (as the scenario runs them: Poisson at each multiple, then bursty at 1×). */
  private static List<Cell> sweep(double cap, long seed, DoubleFunction<Outcomes> at, DoubleUnaryOperator limit,
      double gatewayShedMs) {
    List<Point> points = new ArrayList<>();
    for (double m : UnknownCapacityScenario.MULTIPLES) {
      points.add(new Point(Fmt.num(m) + "×", m, Arrivals.poisson(seed)));
    }
    points.add(new Point("1× bursty", 1, Arrivals.bursty(3, seed)));
    List<Cell> cells = new ArrayList<>();
    for (Point p : points) {
      Outcomes o = at.apply(p.multiple());
      RunStats s = new SyntheticLoad(seed++).phase(-1, WINDOW, cap * p.multiple(), o).stats(WINDOW);
      cells.add(new Cell(p, s, limit.applyAsDouble(p.multiple()), o.shed() > 0 ? gatewayShedMs : Double.NaN));
    }
    return cells;
  }

  /**
   * The spike runs: adaptive Spillway calm {@code adaptiveRecovery} s after the spike, the engine-signal target
   * (when {@code engines}) {@code engineRecovery} s after it, nginx never.
   */
  private static void spikes(UnknownCapacityResults res, double cap, int adaptiveRecovery, int engineRecovery,
      boolean engines) {
    res.spikePhases = PHASES;
    res.spikeRate = cap;
    String nginx = res.sweep.keySet().stream().filter(k -> k.startsWith("nginx")).findFirst().orElseThrow();
    res.spikes.put(UnknownCapacityScenario.ADAPTIVE_LABEL, spike(UnknownCapacityScenario.ADAPTIVE_LABEL, cap,
        adaptiveRecovery, true, engines));
    if (engines) {
      res.spikes.put(UnknownCapacityScenario.ENGINE_LABEL, spike(UnknownCapacityScenario.ENGINE_LABEL, cap,
          engineRecovery, true, true));
    }
    res.spikes.put(nginx, spike(nginx, cap, PHASES[2], false, engines));
  }

  /** A spike run that sheds after the spike until {@code recovery} s after it (the whole run: never calm). */
  private static Traced spike(String label, double cap, int recovery, boolean spillway, boolean engine) {
    double base = cap * UnknownCapacityTargets.SPIKE_BASE_MULTIPLE;
    double calmFrom = PHASES[0] + PHASES[1] + recovery;
    double ttft = engine ? 200 : 420;
    SyntheticLoad load = new SyntheticLoad(label.length() * 31L + recovery)
        .phase(0, PHASES[0], base, Outcomes.answered(ttft, 300))
        .phase(PHASES[0], PHASES[0] + PHASES[1], 10 * cap, new Outcomes(0.85, 0, 0, ttft * 1.3, 300, 1))
        .phase(PHASES[0] + PHASES[1], calmFrom, base, new Outcomes(0.3, spillway ? 0 : 0.05, 0, ttft, 300, 1));
    if (calmFrom < SPIKE_SECONDS) {
      load.phase(calmFrom, SPIKE_SECONDS, base, Outcomes.answered(ttft, 300));
    }
    List<MetricsScraper.Sample> queued = series(SPIKE_SECONDS, 0.25, t -> t >= PHASES[0] && t < calmFrom ? 12 : 0);
    Map<String, List<MetricsScraper.Sample>> extra = spillway ? Map.of(AdaptiveConfig.QUEUE_GAUGE, queued) : Map.of();
    List<EngineTrace> traces = engine ? List.of(new EngineTrace(series(SPIKE_SECONDS, 0.25, t -> 40), queued,
        series(SPIKE_SECONDS, 0.25, t -> 0.6))) : List.of();
    return new Traced(label, load.stats(SPIKE_SECONDS), series(SPIKE_SECONDS, 0.25, t -> spillway ? 8 + t : 0),
        series(SPIKE_SECONDS, 0.25, t -> 6 + t / 2), null, extra, traces);
  }

  /** A convergence run at 2× capacity whose scraped limit follows {@code limit}. */
  private static Traced converging(String label, double cap, long seed, DoubleUnaryOperator limit) {
    RunStats s = new SyntheticLoad(seed).phase(0, CONVERGENCE_SECONDS, 2 * cap, new Outcomes(0.5, 0, 0, 450, 300,
        0.9)).stats(CONVERGENCE_SECONDS);
    return new Traced(label, s, series(CONVERGENCE_SECONDS, 0.5, limit), series(CONVERGENCE_SECONDS, 0.5,
        t -> limit.applyAsDouble(t) * 0.9), null);
  }

  /** The two-tier run at 5× for 8 s: both tiers' limits rise from 4; with {@code engines}, both engines' gauges. */
  private static void overflow(UnknownCapacityResults res, double cap, long seed, boolean engines) {
    res.overflowMultiple = 5;
    res.overflowSeconds = 8;
    RunStats s = new SyntheticLoad(seed).phase(0, 8, 5 * cap, new Outcomes(0.55, 0.01, 0, 430, 300, 0.9)).stats(8);
    List<EngineTrace> traces = engines ? List.of(
        new EngineTrace(series(8, 0.25, t -> 40), series(8, 0.25, t -> t < 4 ? 6 : 1), series(8, 0.25, t -> 0.7)),
        new EngineTrace(series(8, 0.25, t -> 35), series(8, 0.25, t -> t < 4 ? 3 : 0), series(8, 0.25, t -> 0.5)))
        : List.of();
    res.overflow = new Traced("two tiers at 5×", s, series(8, 0.25, t -> Math.min(12, 4 + 2 * t)),
        series(8, 0.25, t -> Math.min(11, 4 + 2 * t)), null, Map.of(), traces);
    res.overflowLimit = series(8, 0.25, t -> Math.min(10, 4 + t));
    res.overflowInFlight = series(8, 0.25, t -> Math.min(9, 3 + t));
  }
}
