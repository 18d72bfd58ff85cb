package dev.spillway.bench.scenario;

import dev.spillway.bench.load.LoadClient;
import dev.spillway.bench.load.LoadResult;
import dev.spillway.bench.load.LoadRunner;
import dev.spillway.bench.load.RequestSource;
import dev.spillway.bench.load.Schedule;
import dev.spillway.bench.load.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * What every part of the unknown-capacity scenario ({@link UnknownCapacityRun}) runs load with: the options,
 * the client and runner, the backend under test and the results being filled in; runs that give up on late
 * answers alike, a settle between runs, and traced runs through a Spillway of their own.
 */
final class UnknownCapacityLoad {
  final ScenarioOptions o;
  final UnknownCapacityResults res;
  final CapacityBackend b;
  private final LoadClient client;
  private final LoadRunner runner;
  private final Duration drain;
  /** The backends whose leftover work is waited out before each measured run. */
  private final List<Integer> backendPorts = new ArrayList<>();

  UnknownCapacityLoad(ScenarioOptions o, LoadClient client, LoadRunner runner, UnknownCapacityResults res) {
    this.o = o;
    this.client = client;
    this.runner = runner;
    this.res = res;
    this.b = res.backend;
    // Answers of the simulator run for seconds: give them a while, then give up (counted apart, censored).
    // Goodput counts completions inside a run, so the drain only lets late first tokens arrive; a request
    // still without one when it is over counts as slower than every measured one.
    this.drain = Duration.ofSeconds(o.pick(3, 1));
  }

  /** Adds backends that {@link #settle} waits for. */
  void watchBackends(List<Integer> ports) {
    backendPorts.addAll(ports);
  }

  /** Runs {@code schedule} through a Spillway of its own, scraping its limit and in-flight count, then stops it. */
  UnknownCapacityResults.Traced traced(Starts.Gateway gateway, String label, RequestSource requests,
      Schedule schedule, Duration timeout) {
    return traced(gateway, label, requests, schedule, timeout, List.of());
  }

  /** As above, also scraping {@code extra} series (in {@link UnknownCapacityResults.Traced#extra}). */
  UnknownCapacityResults.Traced traced(Starts.Gateway gateway, String label, RequestSource requests,
      Schedule schedule, Duration timeout, List<String> extra) {
    return traced(gateway, label, requests, schedule, timeout, extra, List.of());
  }

  /**
   * As above, also scraping the engines on {@code enginePorts} when the backend has engine metrics
   * ({@link UnknownCapacityResults.Traced#engines}, in port order).
   */
  UnknownCapacityResults.Traced traced(Starts.Gateway gateway, String label, RequestSource requests,
      Schedule schedule, Duration timeout, List<String> extra, List<Integer> enginePorts) {
    String failure = gateway.failure();
    if (failure != null) {
      return new UnknownCapacityResults.Traced(label, null, List.of(), List.of(), failure);
    }
    settle();
    List<String> series = new ArrayList<>(List.of(AdaptiveConfig.LIMIT_GAUGE, AdaptiveConfig.IN_FLIGHT_GAUGE));
    series.addAll(extra);
    MetricsScraper scraper = new MetricsScraper(gateway.admin, "/metrics", series);
    List<MetricsScraper> engineScrapers = engineScrapers(enginePorts);
    List<MetricsScraper> all = new ArrayList<>(engineScrapers);
    all.add(scraper);
    try {
      LoadResult r = runner.runAbandoning(new Target(label, gateway.port), requests, schedule, timeout, drain,
          startScrapers(all));
      RunStats stats = new RunStats(r, schedule.durationNanos() / 1e9);
      System.out.printf(Locale.ROOT, "unknown-capacity %s %s: %s%n", b.key(), label, stats);
      Map<String, List<MetricsScraper.Sample>> extraSamples = new LinkedHashMap<>();
      for (String s : extra.isEmpty() ? List.<String>of() : series) {
        extraSamples.put(s, scraper.samples(s));
        System.out.printf(Locale.ROOT, "unknown-capacity %s %s: %s every second: %s%n", b.key(), label, s,
            everySecond(scraper.samples(s)));
      }
      List<EngineTrace> engines = engineScrapers.stream().map(EngineTrace::of).toList();
      return new UnknownCapacityResults.Traced(label, stats, scraper.samples(AdaptiveConfig.LIMIT_GAUGE),
          scraper.samples(AdaptiveConfig.IN_FLIGHT_GAUGE), null, extraSamples, engines);
    } finally {
      all.forEach(MetricsScraper::close);
      gateway.stop();
    }
  }

  /** Scrapers of the engines on {@code ports}; none when the backend has no engine metrics. */
  List<MetricsScraper> engineScrapers(List<Integer> ports) {
    return b.runningGauge() == null ? List.of() : ports.stream().map(EngineTrace::scraper).toList();
  }

  /** The first sample of each whole second, for the console. */
  private static String everySecond(List<MetricsScraper.Sample> samples) {
    StringBuilder sb = new StringBuilder();
    double next = 0;
    for (MetricsScraper.Sample s : samples) {
      if (s.seconds() >= next) {
        sb.append(String.format(Locale.ROOT, "%.0f ", s.value()));
        next = Math.floor(s.seconds()) + 1;
      }
    }
    return sb.toString().trim();
  }

  /**
   * Ends what the last run left (the client gives up on it) and waits until every backend is idle, so no
   * run measures the one before it: a backend's own queue can hold seconds of work.
   */
  void settle() {
    client.closeAll();
    ChildProcess.sleep(o.pick(500, 100));
    for (int port : backendPorts) {
      BackendHealth.awaitIdle(port, Duration.ofSeconds(o.pick(60, 10)));
    }
  }

  /** Runs {@code schedule} at {@code target}, giving up on answers after the backend's timeout. */
  LoadResult run(Target target, RequestSource requests, Schedule schedule, MetricsScraper scraper) {
    return runner.runAbandoning(target, requests, schedule, b.timeout(), drain, startScraper(scraper));
  }

  /** As {@link #run(Target, RequestSource, Schedule, MetricsScraper)}, with any number of scrapers. */
  LoadResult runScraped(Target target, RequestSource requests, Schedule schedule, List<MetricsScraper> scrapers) {
    return runner.runAbandoning(target, requests, schedule, b.timeout(), drain, startScrapers(scrapers));
  }

  private static LongConsumer startScrapers(List<MetricsScraper> scrapers) {
    return origin -> scrapers.forEach(s -> s.start(origin, UnknownCapacityScenario.SCRAPE_PERIOD));
  }

  private static LongConsumer startScraper(MetricsScraper scraper) {
    return origin -> {
      if (scraper != null) {
        scraper.start(origin, UnknownCapacityScenario.SCRAPE_PERIOD);
      }
    };
  }
}
