package dev.spillway.bench.scenario;

import dev.spillway.bench.load.Arrivals;
import dev.spillway.bench.load.LoadResult;
import dev.spillway.bench.load.Schedule;
import dev.spillway.bench.load.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The unknown-capacity scenario's load staircase: each offered multiple of the calibrated capacity as a level,
 * measured through one target, with the adaptive limit it settled at and its own shed time when the target
 * is a Spillway.
 */
final class UnknownCapacitySweep {
  /**
   * Spillway's own shed time, head to flushed answer ({@code docs/operations.md}); its scraped buckets give
   * each level's gateway-side shed p99 beside the client's.
   */
  static final String SHED_TIME = "spillway_shed_duration_seconds";
  private final UnknownCapacityLoad load;
  private final ScenarioOptions o;
  private final UnknownCapacityResults res;
  private final CapacityBackend b;
  /** Length of one load level of the staircase, and the start of it left out of the measurement. */
  private final double phase;
  private final double skip;

  UnknownCapacitySweep(UnknownCapacityLoad load) {
    this.load = load;
    this.o = load.o;
    this.res = load.res;
    this.b = load.b;
    // The simulator's answers take seconds: each level needs longer to settle than the fixed mock's.
    // At 4 requests a second a 20 s level measures 30-50 answers; -Dunknown.llmLevel=60 (seconds) measures
    // three times as many, for comparing limits whose difference is smaller than one level's noise.
    double llmLevel = Double.parseDouble(System.getProperty("unknown.llmLevel", "20"));
    if (!(llmLevel >= 10)) {
      throw new IllegalArgumentException("unknown.llmLevel: " + llmLevel + " (expected: >= 10 seconds)");
    }
    this.phase = b.capacityKnown() ? o.pick(10.0, 0.8) : o.pick(llmLevel, 2.0);
    this.skip = b.capacityKnown() ? o.pick(2.0, 0.3) : o.pick(8.0, 0.5);
  }

  /**
   * One staircase through every Poisson level without a pause (the backend keeps its state from one level
   * to the next, as it would in production), then the bursty level as a run of its own; each level is
   * measured after its first {@link #skip} seconds.
   */
  List<UnknownCapacityResults.Cell> sweep(Target target, int adminPort,
      List<UnknownCapacityResults.Point> points) {
    double capacity = res.calibration.goodput();
    load.settle();
    List<UnknownCapacityResults.Point> stairs = points.stream()
        .filter(p -> p.arrivals().kind() == Arrivals.Kind.POISSON).toList();
    List<Schedule.Phase> phases = new ArrayList<>();
    for (UnknownCapacityResults.Point p : stairs) {
      phases.add(new Schedule.Phase(capacity * p.multiple(), Duration.ofMillis((long) (phase * 1000))));
    }
    List<UnknownCapacityResults.Cell> cells = new ArrayList<>();
    measure(target, adminPort, stairs, Schedule.of(phases, Arrivals.poisson(CapacityBackend.SEED)), cells);
    for (UnknownCapacityResults.Point p : points) {
      if (p.arrivals().kind() != Arrivals.Kind.POISSON) {
        load.settle();
        measure(target, adminPort, List.of(p), Schedule.constant(capacity * p.multiple(),
            Duration.ofMillis((long) (phase * 1000)), p.arrivals()), cells);
      }
    }
    return cells;
  }

  /** Runs {@code schedule}, one phase per point, and adds a cell per point. */
  private void measure(Target target, int adminPort, List<UnknownCapacityResults.Point> points, Schedule schedule,
      List<UnknownCapacityResults.Cell> cells) {
    MetricsScraper scraper = adminPort == 0 ? null
        : new MetricsScraper(adminPort, "/metrics", List.of(AdaptiveConfig.LIMIT_GAUGE)).withHistogram(SHED_TIME);
    try {
      LoadResult r = load.run(target, b.mix(), schedule, scraper);
      RunStats whole = new RunStats(r, schedule.durationNanos() / 1e9);
      for (int i = 0; i < points.size(); i++) {
        double start = i * phase;
        RunStats stats = whole.window(start + skip, start + phase);
        double limit = scraper == null ? Double.NaN
            : Convergence.mean(scraper.samples(AdaptiveConfig.LIMIT_GAUGE), start + phase / 2, start + phase);
        double gatewayShed = scraper == null ? Double.NaN
            : HistogramWindow.quantileMs(scraper.histogram(SHED_TIME), start + skip, start + phase, 0.99);
        cells.add(new UnknownCapacityResults.Cell(points.get(i), stats, limit, gatewayShed));
        System.out.printf(Locale.ROOT, "unknown-capacity %s %s %s: %s, limit %.1f; %s, gateway p99 %.2f ms%n",
            b.key(), target.name(), points.get(i).label(), stats, limit, stats.shedSplit(), gatewayShed);
      }
    } finally {
      if (scraper != null) {
        scraper.close();
      }
    }
  }
}
