package dev.spillway.bench.scenario;

import dev.spillway.bench.load.Arrivals;
import dev.spillway.bench.load.LoadClient;
import dev.spillway.bench.load.LoadResult;
import dev.spillway.bench.load.LoadRunner;
import dev.spillway.bench.load.Lengths;
import dev.spillway.bench.load.RequestMix;
import dev.spillway.bench.load.RequestSource;
import dev.spillway.bench.load.Schedule;
import dev.spillway.bench.load.Target;
import dev.spillway.server.mock.engine.EngineCapacity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.function.LongConsumer;

/**
 * The unknown-capacity scenario's runs against one backend ({@link UnknownCapacityScenario}): calibration,
 * the load staircase, the spike, convergence, the long-answer mix and the overflow tier. Every process it starts
 * is stopped when it ends.
 */
final class UnknownCapacityRun {
  private final ScenarioOptions o;
  private final LoadClient client;
  private final LoadRunner runner;
  private final UnknownCapacityResults res;
  private final CapacityBackend b;
  private final Duration drain;
  /** Length of one load level of the staircase, and the start of it left out of the measurement. */
  private final double phase;
  private final double skip;
  /** The backends whose leftover work is waited out before each measured run. */
  private final List<Integer> backendPorts = new ArrayList<>();

  UnknownCapacityRun(ScenarioOptions o, LoadClient client, LoadRunner runner, UnknownCapacityResults res) {
    this.o = o;
    this.client = client;
    this.runner = runner;
    this.res = res;
    this.b = res.backend;
    // Answers of the simulator run for seconds: give them a while, then give up (counted apart, censored).
    // Goodput counts completions inside a run, so the drain only lets late first tokens arrive; a request
    // still without one when it is over counts as slower than every measured one.
    this.drain = Duration.ofSeconds(o.pick(3, 1));
    // The simulator's answers take seconds: each level needs longer to settle than the fixed mock's.
    this.phase = b.capacityKnown() ? o.pick(10.0, 0.8) : o.pick(20.0, 2.0);
    this.skip = b.capacityKnown() ? o.pick(2.0, 0.3) : o.pick(8.0, 0.5);
  }

  void run() throws Exception {
    try (Launcher launcher = new Launcher(o, o.workDir()); Starts starts = new Starts(launcher)) {
      int backendPort = Proc.freePort();
      int mixPort = b.mixOptions() == null ? backendPort : Proc.freePort();
      int overflowPort = Proc.freePort();
      // Everything starts at once, before any measurement: JVM start-up would otherwise dominate.
      starts.mock("backend-" + b.key(), backendPort, b.options());
      if (b.mixOptions() != null) {
        starts.mock("backend-" + b.key() + "-mix", mixPort, b.mixOptions());
      }
      starts.mock("backend-" + b.key() + "-overflow", overflowPort, b.options());
      backendPorts.addAll(List.of(backendPort, mixPort, overflowPort));
      Starts.Gateway adaptive = starts.spillway("spillway-adaptive", backendPort, AdaptiveConfig.ADAPTIVE, 0);
      Starts.Gateway low = starts.spillway("spillway-start-4", backendPort, AdaptiveConfig.adaptiveStartingAt(4), 0);
      Starts.Gateway high = starts.spillway("spillway-start-1024", backendPort,
          AdaptiveConfig.adaptiveStartingAt(1024), 0);
      Starts.Gateway mix = starts.spillway("spillway-mix", mixPort, AdaptiveConfig.ADAPTIVE, 0);
      Starts.Gateway overflow = starts.spillway("spillway-overflow", backendPort, AdaptiveConfig.ADAPTIVE,
          overflowPort);
      // The baseline, what the backend does with everything offered to it: for the fixed mock in full mode
      // only (the simulator's levels take too long to run a third time).
      Starts.Gateway plain = o.quick() || !b.capacityKnown() ? null
          : starts.spillway("spillway-nolimit", backendPort, null, 0);
      starts.await();
      if (adaptive.failure() != null) {
        throw new IllegalStateException(adaptive.failure());
      }

      Target direct = new Target("direct", backendPort);
      res.calibration = calibrate(direct, backendPort);
      UnknownCapacityResults.Calibration c = res.calibration;
      System.out.printf(Locale.ROOT, "unknown-capacity %s: capacity %.2f req/s, %.0f tokens/s, best limit %.1f (%s)%n",
          b.key(), c.goodput(), c.tokenGoodput(), c.bestLimit(), c.method());
      int told = (int) Math.max(1, Math.round(c.bestLimit()));
      Target nginx = null;
      if (o.proxies().contains(ProxyKind.NGINX)) {
        int port = Proc.freePort();
        launcher.proxy(ProxyKind.NGINX, ProxySetup.limited(backendPort, told, 0, Duration.ofSeconds(1)), port);
        nginx = new Target("nginx limit_conn " + told + " (told)", port);
      } else {
        Peers.loud("unknown-capacity: nginx is not available; the side-by-side nginx limit_conn runs are SKIPPED");
        res.notes.add("nginx was not available here: its side-by-side runs were skipped.");
      }

      Target adaptiveTarget = new Target(UnknownCapacityScenario.ADAPTIVE_LABEL, adaptive.port);
      List<UnknownCapacityResults.Point> points = points();
      if (part("sweep")) {
        res.sweep.put(UnknownCapacityScenario.ADAPTIVE_LABEL, sweep(adaptiveTarget, adaptive.admin, points));
        if (nginx != null) {
          res.sweep.put(nginx.name(), sweep(nginx, 0, points));
        }
      }
      if (plain != null) {
        if (plain.failure() != null) {
          res.notes.add("Spillway without a limit did not start: " + plain.failure());
        } else if (part("sweep")) {
          res.sweep.put(UnknownCapacityScenario.UNLIMITED_LABEL, sweep(new Target(UnknownCapacityScenario.UNLIMITED_LABEL, plain.port), 0, points));
        }
        plain.stop();
      }
      if (part("spike")) {
        spike(adaptiveTarget);
        if (nginx != null) {
          spike(nginx);
        }
      }
      if (part("convergence")) {
        convergence(low, high, told);
      }
      if (part("mix")) {
        mix(mix, told);
      }
      if (part("overflow")) {
        overflow(overflow);
      }
    }
  }

  /**
   * Whether a part of the scenario runs: {@code -Dunknown.parts=sweep,spike,convergence,mix,overflow} (the
   * default: all) lets one part be measured again without the others' half hour.
   */
  private static boolean part(String name) {
    String chosen = System.getProperty("unknown.parts", "sweep,spike,convergence,mix,overflow");
    for (String p : chosen.split(",")) {
      if (p.trim().equals(name)) {
        return true;
      }
    }
    return false;
  }

  private List<UnknownCapacityResults.Point> points() {
    List<UnknownCapacityResults.Point> points = new ArrayList<>();
    for (int i = 0; i < UnknownCapacityScenario.MULTIPLES.length; i++) {
      points.add(new UnknownCapacityResults.Point(Fmt.num(UnknownCapacityScenario.MULTIPLES[i]) + "×", UnknownCapacityScenario.MULTIPLES[i],
          Arrivals.poisson(CapacityBackend.SEED + i)));
    }
    points.add(new UnknownCapacityResults.Point("1× bursty", 1, Arrivals.bursty(3, CapacityBackend.SEED + 99)));
    return points;
  }

  /**
   * The backend's capacity: the best goodput and best static limit from its model, cross-checked by a
   * saturating run straight to it (its first part left out: completions by completion time, and the mean
   * running requests its metrics report); then an unloaded run at half capacity for the reference latencies.
   */
  private UnknownCapacityResults.Calibration calibrate(Target direct, int backendPort) {
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
    run(direct, b.mix(), Schedule.constant(model * 0.5, Duration.ofMillis(o.pick(2000, 500))), null);
    settle();
    double rate = model * (b.capacityKnown() ? 1.2 : 2);
    MetricsScraper scraper = b.runningGauge() == null ? null
        : new MetricsScraper(backendPort, "/metrics", List.of(b.runningGauge()));
    double measured;
    double measuredTokens;
    double running = Double.NaN;
    try {
      LoadResult r = run(direct, b.mix(), Schedule.constant(rate, Duration.ofMillis((long) (seconds * 1000)),
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
    settle();
    double unloadedSeconds = b.capacityKnown() ? o.pick(8.0, 1.5) : o.pick(20.0, 4.0);
    LoadResult unloaded = run(direct, b.mix(), Schedule.constant(model * 0.5,
        Duration.ofMillis((long) (unloadedSeconds * 1000)), Arrivals.poisson(CapacityBackend.SEED + 7)), null);
    RunStats u = new RunStats(unloaded, unloadedSeconds);
    return new UnknownCapacityResults.Calibration(model, modelTokens, bestLimit, method, measured, measuredTokens,
        running, u.ttftMs(true, 99), u.ttftMs(false, 99), u.streamTokensPerSecond(), u.meanServiceSeconds());
  }

  /**
   * One staircase through every Poisson level without a pause (the backend keeps its state from one level
   * to the next, as it would in production), then the bursty level as a run of its own; each level is
   * measured after its first {@link #skip} seconds.
   */
  private List<UnknownCapacityResults.Cell> sweep(Target target, int adminPort,
      List<UnknownCapacityResults.Point> points) {
    double capacity = res.calibration.goodput();
    settle();
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
        settle();
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
        : new MetricsScraper(adminPort, "/metrics", List.of(AdaptiveConfig.LIMIT_GAUGE));
    try {
      LoadResult r = run(target, b.mix(), schedule, scraper);
      RunStats whole = new RunStats(r, schedule.durationNanos() / 1e9);
      for (int i = 0; i < points.size(); i++) {
        double start = i * phase;
        RunStats stats = whole.window(start + skip, start + phase);
        double limit = scraper == null ? Double.NaN
            : Convergence.mean(scraper.samples(AdaptiveConfig.LIMIT_GAUGE), start + phase / 2, start + phase);
        cells.add(new UnknownCapacityResults.Cell(points.get(i), stats, limit));
        System.out.printf(Locale.ROOT, "unknown-capacity %s %s %s: %s, limit %.1f; %s%n", b.key(), target.name(),
            points.get(i).label(), stats, limit, stats.shedSplit());
      }
    } finally {
      if (scraper != null) {
        scraper.close();
      }
    }
  }

  private void spike(Target target) {
    int before = o.pick(5, 1);
    int spike = o.pick(10, 1);
    int after = o.pick(b.capacityKnown() ? 10 : 15, 2);
    double capacity = res.calibration.goodput();
    res.spikePhases = new int[] {before, spike, after};
    res.spikeRate = capacity;
    settle();
    Schedule schedule = Schedule.of(List.of(new Schedule.Phase(capacity * 0.8, Duration.ofSeconds(before)),
        new Schedule.Phase(capacity * 10, Duration.ofSeconds(spike)),
        new Schedule.Phase(capacity * 0.8, Duration.ofSeconds(after))), Arrivals.poisson(CapacityBackend.SEED + 3));
    LoadResult r = run(target, b.mix(), schedule, null);
    RunStats stats = new RunStats(r, before + spike + after);
    res.spikes.put(target.name(), stats);
    System.out.printf(Locale.ROOT, "unknown-capacity %s spike %s: %s; %s%n", b.key(), target.name(), stats,
        stats.shedSplit());
  }

  private void convergence(Starts.Gateway low, Starts.Gateway high, int best) {
    res.convergenceMultiple = 2;
    res.convergenceSeconds = o.pick(20.0, 2.0);
    Schedule schedule = Schedule.constant(res.calibration.goodput() * res.convergenceMultiple,
        Duration.ofMillis((long) (res.convergenceSeconds * 1000)), Arrivals.poisson(CapacityBackend.SEED + 5));
    res.convergence.add(traced(low, "start at 4 (best static " + best + ")", b.mix(), schedule, b.timeout()));
    res.convergence.add(traced(high, "start at 1024 (best static " + best + ")", b.mix(), schedule, b.timeout()));
  }

  /**
   * A fifth of the requests are non-streamed answers of 30–60 s (1.5–3 s in quick mode), offered at 60 % of
   * the backend's slots; the run lasts longer than the longest answer, so the limit sees them complete.
   */
  private void mix(Starts.Gateway gateway, int best) {
    double tokensPerSecond;
    double shortSeconds;
    if (b.mixOptions() != null) {
      tokensPerSecond = 50;
      // The fixed mock: its latency (slots / rate) to the first token, then 50 tokens/s.
      shortSeconds = b.slots() / b.modelRate() + (b.mixShort().answer().mean() - 1) / tokensPerSecond;
    } else {
      tokensPerSecond = res.calibration.decodeTokensPerSecond();
      shortSeconds = res.calibration.meanServiceSeconds();
    }
    double scale = o.pick(1.0, 0.05);
    int shortest = (int) Math.max(2, Math.round(30 * scale * tokensPerSecond));
    int longest = (int) Math.max(shortest, Math.round(60 * scale * tokensPerSecond));
    RequestMix.Kind longAnswers = new RequestMix.Kind("long answer", 0.2, 0, b.mixShort().prompt(),
        Lengths.uniform(shortest, longest));
    RequestMix.Kind chat = new RequestMix.Kind(b.mixShort().name(), 0.8, b.mixShort().streamFraction(),
        b.mixShort().prompt(), b.mixShort().answer());
    RequestMix mix = new RequestMix(List.of(chat, longAnswers), CapacityBackend.TENANTS, CapacityBackend.SEED + 11);
    double meanService = 0.8 * shortSeconds + 0.2 * 45 * scale;
    double rate = 0.6 * best / meanService;
    double seconds = o.pick(75.0, 4.0);
    res.mixSlots = best;
    res.mixDescription = String.format(Locale.ROOT, "%.2f req/s for %.0f s (60 %% of %d slots at a mean service "
        + "time of %.2f s); %s; long answers %d–%d tokens at %.0f tokens/s", rate, seconds, best, meanService,
        mix.describe(), shortest, longest, tokensPerSecond);
    res.mix = traced(gateway, "long-answer mix", mix, Schedule.constant(rate, Duration.ofMillis((long) (seconds * 1000)), Arrivals.poisson(CapacityBackend.SEED + 13)),
        Duration.ofSeconds((long) (70 * scale) + 10));
  }

  /**
   * 5× one backend's capacity through a route whose second tier takes overflow, from a cold start (both
   * adaptive limits start unknown) for long enough that both limits settle: the report judges the first
   * seconds and the second half apart.
   */
  private void overflow(Starts.Gateway gateway) {
    res.overflowMultiple = 5;
    res.overflowSeconds = b.capacityKnown() ? o.pick(30.0, 3.0) : o.pick(60.0, 4.0);
    res.overflow = traced(gateway, "two tiers at 5×", b.mix(), Schedule.constant(res.calibration.goodput()
        * res.overflowMultiple, Duration.ofMillis((long) (res.overflowSeconds * 1000)),
        Arrivals.poisson(CapacityBackend.SEED + 17)), b.timeout(),
        List.of(AdaptiveConfig.OVERFLOW_LIMIT_GAUGE, AdaptiveConfig.OVERFLOW_IN_FLIGHT_GAUGE));
    res.overflowLimit = res.overflow.extra().getOrDefault(AdaptiveConfig.OVERFLOW_LIMIT_GAUGE, List.of());
    res.overflowInFlight = res.overflow.extra().getOrDefault(AdaptiveConfig.OVERFLOW_IN_FLIGHT_GAUGE, List.of());
    if (res.overflow.stats() != null) {
      RunStats steady = res.overflow.stats().window(res.overflowSeconds / 2, res.overflowSeconds);
      System.out.printf(Locale.ROOT, "unknown-capacity %s two tiers, second half: %s%n", b.key(), steady);
    }
  }

  /** Runs {@code schedule} through a Spillway of its own, scraping its limit and in-flight count, then stops it. */
  private UnknownCapacityResults.Traced traced(Starts.Gateway gateway, String label, RequestSource requests,
      Schedule schedule, Duration timeout) {
    return traced(gateway, label, requests, schedule, timeout, List.of());
  }

  /** As above, also scraping {@code extra} series (in {@link UnknownCapacityResults.Traced#extra}). */
  private UnknownCapacityResults.Traced traced(Starts.Gateway gateway, String label, RequestSource requests,
      Schedule schedule, Duration timeout, List<String> extra) {
    String failure = gateway.failure();
    if (failure != null) {
      return new UnknownCapacityResults.Traced(label, null, List.of(), List.of(), failure);
    }
    settle();
    List<String> series = new ArrayList<>(List.of(AdaptiveConfig.LIMIT_GAUGE, AdaptiveConfig.IN_FLIGHT_GAUGE));
    series.addAll(extra);
    MetricsScraper scraper = new MetricsScraper(gateway.admin, "/metrics", series);
    try {
      LoadResult r = runner.runAbandoning(new Target(label, gateway.port), requests, schedule, timeout, drain,
          startScraper(scraper));
      RunStats stats = new RunStats(r, schedule.durationNanos() / 1e9);
      System.out.printf(Locale.ROOT, "unknown-capacity %s %s: %s%n", b.key(), label, stats);
      Map<String, List<MetricsScraper.Sample>> extraSamples = new LinkedHashMap<>();
      for (String s : extra.isEmpty() ? List.<String>of() : series) {
        extraSamples.put(s, scraper.samples(s));
        System.out.printf(Locale.ROOT, "unknown-capacity %s %s: %s every second: %s%n", b.key(), label, s,
            everySecond(scraper.samples(s)));
      }
      return new UnknownCapacityResults.Traced(label, stats, scraper.samples(AdaptiveConfig.LIMIT_GAUGE),
          scraper.samples(AdaptiveConfig.IN_FLIGHT_GAUGE), null, extraSamples);
    } finally {
      scraper.close();
      gateway.stop();
    }
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
  private void settle() {
    client.closeAll();
    ChildProcess.sleep(o.pick(500, 100));
    for (int port : backendPorts) {
      BackendHealth.awaitIdle(port, Duration.ofSeconds(o.pick(60, 10)));
    }
  }

  private LoadResult run(Target target, RequestSource requests, Schedule schedule, MetricsScraper scraper) {
    return runner.runAbandoning(target, requests, schedule, b.timeout(), drain, startScraper(scraper));
  }

  private static LongConsumer startScraper(MetricsScraper scraper) {
    return origin -> {
      if (scraper != null) {
        scraper.start(origin, UnknownCapacityScenario.SCRAPE_PERIOD);
      }
    };
  }
}
