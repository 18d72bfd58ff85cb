package dev.spillway.bench.scenario;

import dev.spillway.bench.load.Arrivals;
import dev.spillway.bench.load.LoadResult;
import dev.spillway.bench.load.Schedule;
import dev.spillway.bench.load.Target;
import dev.spillway.server.mock.engine.EngineCapacity;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The unknown-capacity scenario's first part: what the backend can do, from its model and a saturating run
 * straight to it, and its latencies unloaded; every later part scales its load by the result.
 */
final class UnknownCapacityCalibration {
  private final UnknownCapacityLoad load;
  private final ScenarioOptions o;
  private final CapacityBackend b;

  UnknownCapacityCalibration(UnknownCapacityLoad load) {
    this.load = load;
    this.o = load.o;
    this.b = load.b;
  }

  /**
   * The backend's capacity: the best goodput and best static limit from its model, cross-checked by a
   * saturating run straight to it (its first part left out: completions by completion time, and the mean
   * running requests its metrics report); then an unloaded run at half capacity for the reference latencies.
   */
  UnknownCapacityResults.Calibration calibrate(Target direct, int backendPort) {
    double model;
    double modelTokens;
    double bestLimit;
    String source;
    if (b.capacityKnown()) {
      model = b.modelRate();
      modelTokens = model * b.mix().meanAnswerTokens();
      bestLimit = b.slots();
      source = String.format(Locale.ROOT, "model: %d slots / %.0f ms", b.slots(), b.slots() / model * 1000);
    } else {
      EngineCapacity engine = SimulatorModel.capacity(b.mix());
      model = engine.requestsPerSecond();
      modelTokens = model * engine.meanAnswerTokens();
      bestLimit = engine.batch();
      source = String.format(Locale.ROOT, "the simulator's documented model for this mix: %.2f req/s, batch %.1f "
          + "(%s-bound), ITL %.1f ms at capacity", model, engine.batch(), engine.kvBound() ? "KV" : "max-running",
          engine.interTokenSeconds() * 1000);
    }
    double seconds = b.capacityKnown() ? o.pick(8.0, 1.5) : o.pick(24.0, 4.0);
    double from = b.capacityKnown() ? o.pick(3.0, 0.5) : o.pick(10.0, 1.5);
    load.run(direct, b.mix(), Schedule.constant(model * 0.5, Duration.ofMillis(o.pick(2000, 500))), null);
    load.settle();
    double rate = model * (b.capacityKnown() ? 1.2 : 2);
    MetricsScraper scraper = b.runningGauge() == null ? null
        : new MetricsScraper(backendPort, "/metrics", List.of(b.runningGauge()));
    double measured;
    double measuredTokens;
    double running = Double.NaN;
    try {
      LoadResult r = load.run(direct, b.mix(), Schedule.constant(rate, Duration.ofMillis((long) (seconds * 1000)),
          Arrivals.poisson(CapacityBackend.SEED)), scraper);
      RunStats stats = new RunStats(r, seconds);
      measured = stats.completedPerSecond(from, seconds);
      measuredTokens = stats.completedTokensPerSecond(from, seconds);
      if (scraper != null) {
        running = Convergence.mean(scraper.samples(b.runningGauge()), from, seconds);
      }
      System.out.printf(Locale.ROOT, "calibration %s at %.1f req/s: completed %.2f req/s, running %.1f, %s%n",
          b.key(), rate, measured, running, stats);
    } finally {
      if (scraper != null) {
        scraper.close();
      }
    }
    String method = source + String.format(Locale.ROOT, "; cross-check straight at %.2f req/s offered: %.2f "
        + "req/s and %.0f tokens/s completed in %s–%s s", rate, measured, measuredTokens, Fmt.num(from),
        Fmt.num(seconds)) + (Double.isNaN(running) ? "" : String.format(Locale.ROOT,
        ", `%s` %.1f on average", b.runningGauge(), running));
    load.settle();
    double unloadedSeconds = b.capacityKnown() ? o.pick(8.0, 1.5) : o.pick(20.0, 4.0);
    LoadResult unloaded = load.run(direct, b.mix(), Schedule.constant(model * 0.5,
        Duration.ofMillis((long) (unloadedSeconds * 1000)), Arrivals.poisson(CapacityBackend.SEED + 7)), null);
    RunStats u = new RunStats(unloaded, unloadedSeconds);
    return new UnknownCapacityResults.Calibration(model, modelTokens, bestLimit, method, measured, measuredTokens,
        running, u.ttftMs(true, 99), u.ttftMs(false, 99), u.streamTokensPerSecond(), u.meanServiceSeconds());
  }
}
