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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongConsumer;

/**
 * Does Spillway find a backend's capacity on its own? Spillway gets only {@code concurrency: {mode: adaptive}}
 * and its defaults, in front of (a) the LLM engine simulator with its defaults and (b) a fixed mock of 64
 * slots × 50 ms with a 1,024-deep queue of its own. The backend's capacity is measured straight first
 * (calibration); then, side by side with nginx {@code limit_conn} told that capacity and with Spillway
 * without a limit: offered load from 0.5× to 10× capacity (Poisson, and bursty at 1×), a spike to 10×,
 * convergence from a starting limit far below and far above, a mix where a fifth of the requests are
 * non-streamed answers of 30–60 s, and a second backend as an overflow tier at 5×. See
 * {@link UnknownCapacityReport} for what is reported.
 *
 * <p>Backends run: {@code -Dunknown.backends=fixed,llm}; by default both in full mode and only the fixed mock
 * (4 slots) in quick mode, which keeps the quick run under a minute.
 */
final class UnknownCapacityScenario implements Scenario {
  static final double[] MULTIPLES = {0.5, 1, 2, 5, 10};
  static final Duration SCRAPE_PERIOD = Duration.ofMillis(250);
  static final String ADAPTIVE_LABEL = "Spillway adaptive (never told)";
  static final String UNLIMITED_LABEL = "Spillway, no limit";

  @Override
  public String name() {
    return "unknown-capacity";
  }

  @Override
  public Report run(ScenarioOptions o, LoadClient client, LoadRunner runner) throws Exception {
    List<UnknownCapacityResults> all = new ArrayList<>();
    for (CapacityBackend backend : backends(o)) {
      UnknownCapacityResults results = new UnknownCapacityResults(backend);
      all.add(results);
      long start = System.nanoTime();
      try {
        new BackendRun(o, client, runner, results).run();
      } catch (Exception e) {
        Peers.loud("unknown-capacity: backend " + backend.key() + " FAILED: " + e.getMessage());
        e.printStackTrace();
        results.notes.add("This backend's runs stopped early: " + oneLine(e.getMessage()));
      } finally {
        client.closeAll();
      }
      System.out.printf(Locale.ROOT, "unknown-capacity %s took %.0f s%n", backend.key(),
          (System.nanoTime() - start) / 1e9);
    }
    return new UnknownCapacityReport(o, all).write(name());
  }

  private static List<CapacityBackend> backends(ScenarioOptions o) {
    String chosen = System.getProperty("unknown.backends", o.quick() ? "fixed" : "fixed,llm");
    List<CapacityBackend> list = new ArrayList<>();
    for (String key : chosen.split(",")) {
      switch (key.trim()) {
        case "fixed" -> list.add(o.quick() ? CapacityBackend.fixed(4, Duration.ofMillis(50), 64)
            : CapacityBackend.fixed(64, Duration.ofMillis(50), 1024));
        case "llm" -> list.add(CapacityBackend.llm());
        default -> throw new IllegalArgumentException("unknown.backends: " + key + " (expected: fixed, llm)");
      }
    }
    return list;
  }

  static String oneLine(String s) {
    return s == null ? "(no message)" : s.replace('\n', ' ').replace('|', '/');
  }

  /** The runs against one backend; every process it starts is stopped when it ends. */
  private static final class BackendRun {
    private final ScenarioOptions o;
    private final LoadClient client;
    private final LoadRunner runner;
    private final UnknownCapacityResults res;
    private final CapacityBackend b;
    private final Duration drain;
    private final Duration step;

    BackendRun(ScenarioOptions o, LoadClient client, LoadRunner runner, UnknownCapacityResults res) {
      this.o = o;
      this.client = client;
      this.runner = runner;
      this.res = res;
      this.b = res.backend;
      // Answers of the simulator run for seconds: give them a while, then give up (counted apart, censored).
      this.drain = Duration.ofSeconds(b.capacityKnown() ? 2 : o.pick(5, 2));
      this.step = Duration.ofMillis(o.pick(12_000, 1_000));
    }

    void run() throws Exception {
      try (Launcher launcher = new Launcher(o, o.workDir())) {
        int backendPort = Proc.freePort();
        launcher.mockWith("backend-" + b.key(), backendPort, b.options());
        Target direct = new Target("direct", backendPort);
        res.calibration = calibrate(direct, backendPort);
        UnknownCapacityResults.Calibration c = res.calibration;
        System.out.printf(Locale.ROOT, "unknown-capacity %s: capacity %.1f req/s, %.0f tokens/s, best limit %.1f (%s)%n",
            b.key(), c.goodput(), c.tokenGoodput(), c.bestLimit(), c.method());
        int told = (int) Math.max(1, Math.round(c.bestLimit()));

        int adaptivePort = Proc.freePort();
        int adaptiveAdmin = Proc.freePort();
        launcher.spillway("spillway-adaptive", AdaptiveConfig.yaml(adaptivePort, adaptiveAdmin, backendPort,
            AdaptiveConfig.ADAPTIVE, 0), adaptivePort);
        Target adaptive = new Target(ADAPTIVE_LABEL, adaptivePort);
        Target nginx = null;
        if (o.proxies().contains(ProxyKind.NGINX)) {
          int port = Proc.freePort();
          launcher.proxy(ProxyKind.NGINX, ProxySetup.limited(backendPort, told, 0, Duration.ofSeconds(1)), port);
          nginx = new Target("nginx limit_conn " + told + " (told)", port);
        } else {
          Peers.loud("unknown-capacity: nginx is not available; the side-by-side nginx limit_conn runs are SKIPPED");
          res.notes.add("nginx was not available here: its side-by-side runs were skipped.");
        }
        int plainPort = Proc.freePort();
        launcher.spillway("spillway-nolimit", AdaptiveConfig.yaml(plainPort, Proc.freePort(), backendPort, null, 0),
            plainPort);
        Target unlimited = new Target(UNLIMITED_LABEL, plainPort);

        List<UnknownCapacityResults.Point> points = points();
        res.sweep.put(adaptive.name(), sweep(adaptive, adaptiveAdmin, points));
        if (nginx != null) {
          res.sweep.put(nginx.name(), sweep(nginx, 0, points));
        }
        res.sweep.put(unlimited.name(), sweep(unlimited, 0, points));

        spike(adaptive);
        if (nginx != null) {
          spike(nginx);
        }
        convergence(launcher, backendPort, told);
        mix(launcher, backendPort, told);
        overflow(launcher, backendPort);
      }
    }

    private List<UnknownCapacityResults.Point> points() {
      List<UnknownCapacityResults.Point> points = new ArrayList<>();
      for (int i = 0; i < MULTIPLES.length; i++) {
        points.add(new UnknownCapacityResults.Point(Fmt.num(MULTIPLES[i]) + "×", MULTIPLES[i],
            Arrivals.poisson(CapacityBackend.SEED + i)));
      }
      points.add(new UnknownCapacityResults.Point("1× bursty", 1, Arrivals.bursty(3, CapacityBackend.SEED + 99)));
      return points;
    }

    /** The backend's capacity, measured straight: a saturating run, then an unloaded one at half of it. */
    private UnknownCapacityResults.Calibration calibrate(Target direct, int backendPort) {
      Duration saturate = Duration.ofMillis(o.pick(12_000, 3_000));
      double skip = o.pick(4.0, 1.0);
      double end = saturate.toMillis() / 1000.0;
      double rate = b.capacityKnown() ? b.modelRate() * 1.2 : o.pick(40.0, 10.0);
      double goodput = Double.NaN;
      double tokens = Double.NaN;
      double running = Double.NaN;
      for (int attempt = 0; attempt < 3; attempt++) {
        MetricsScraper scraper = b.runningGauge() == null ? null
            : new MetricsScraper(backendPort, "/metrics", List.of(b.runningGauge()));
        try {
          LoadResult r = run(direct, b.mix(), Schedule.constant(rate, saturate, Arrivals.poisson(CapacityBackend.SEED)),
              scraper);
          RunStats stats = new RunStats(r, end);
          goodput = stats.goodput(skip, end);
          tokens = stats.tokenGoodput(skip, end);
          if (scraper != null) {
            running = Convergence.mean(scraper.samples(b.runningGauge()), skip, end);
          }
          System.out.printf(Locale.ROOT, "calibration %s at %.1f req/s: goodput %.1f req/s, %s%n", b.key(), rate,
              goodput, stats);
        } finally {
          if (scraper != null) {
            scraper.close();
          }
        }
        if (b.capacityKnown() || goodput < 0.8 * rate) {
          break;
        }
        // Not saturated yet: the backend took nearly all of it.
        rate *= 3;
      }
      double bestLimit = b.slots() > 0 ? b.slots() : running;
      String method = b.capacityKnown()
          ? String.format(Locale.ROOT, "model %s slots / latency = %.0f req/s; measured straight at %.0f req/s",
              b.slots(), b.modelRate(), rate)
          : String.format(Locale.ROOT, "measured straight at %.0f req/s offered; best limit = mean of %s", rate,
              b.runningGauge());
      client.closeAll();
      ChildProcess.sleep(o.pick(1000, 200));
      LoadResult unloaded = run(direct, b.mix(), Schedule.constant(goodput * 0.5,
          Duration.ofMillis(o.pick(8_000, 2_000)), Arrivals.poisson(CapacityBackend.SEED + 7)), null);
      RunStats u = new RunStats(unloaded, o.pick(8.0, 2.0));
      return new UnknownCapacityResults.Calibration(goodput, tokens, bestLimit, method, u.ttftMs(true, 99),
          u.ttftMs(false, 99), u.streamTokensPerSecond(), u.meanServiceSeconds());
    }

    private List<UnknownCapacityResults.Cell> sweep(Target target, int adminPort,
        List<UnknownCapacityResults.Point> points) {
      double capacity = res.calibration.goodput();
      run(target, b.mix(), Schedule.constant(capacity * 0.5, Duration.ofMillis(o.pick(2000, 500))), null);
      List<UnknownCapacityResults.Cell> cells = new ArrayList<>();
      double seconds = step.toMillis() / 1000.0;
      for (UnknownCapacityResults.Point p : points) {
        client.closeAll();
        ChildProcess.sleep(o.pick(1000, 200));
        MetricsScraper scraper = adminPort == 0 ? null
            : new MetricsScraper(adminPort, "/metrics", List.of(AdaptiveConfig.LIMIT_GAUGE));
        try {
          LoadResult r = run(target, b.mix(), Schedule.constant(capacity * p.multiple(), step, p.arrivals()), scraper);
          RunStats stats = new RunStats(r, seconds);
          double limit = scraper == null ? Double.NaN
              : Convergence.mean(scraper.samples(AdaptiveConfig.LIMIT_GAUGE), seconds / 2, seconds);
          cells.add(new UnknownCapacityResults.Cell(p, stats, limit));
          System.out.printf(Locale.ROOT, "unknown-capacity %s %s %s: %s, limit %.1f%n", b.key(), target.name(),
              p.label(), stats, limit);
        } finally {
          if (scraper != null) {
            scraper.close();
          }
        }
      }
      return cells;
    }

    private void spike(Target target) {
      int before = o.pick(5, 1);
      int spike = o.pick(10, 2);
      int after = o.pick(15, 3);
      double capacity = res.calibration.goodput();
      res.spikePhases = new int[] {before, spike, after};
      res.spikeRate = capacity;
      client.closeAll();
      ChildProcess.sleep(o.pick(1000, 200));
      Schedule schedule = Schedule.of(List.of(new Schedule.Phase(capacity * 0.8, Duration.ofSeconds(before)),
          new Schedule.Phase(capacity * 10, Duration.ofSeconds(spike)),
          new Schedule.Phase(capacity * 0.8, Duration.ofSeconds(after))), Arrivals.poisson(CapacityBackend.SEED + 3));
      LoadResult r = run(target, b.mix(), schedule, null);
      RunStats stats = new RunStats(r, before + spike + after);
      res.spikes.put(target.name(), stats);
      System.out.printf(Locale.ROOT, "unknown-capacity %s spike %s: %s%n", b.key(), target.name(), stats);
    }

    private void convergence(Launcher launcher, int backendPort, int best) {
      res.convergenceMultiple = 2;
      res.convergenceSeconds = o.pick(20.0, 4.0);
      for (int start : new int[] {4, 1024}) {
        String label = "start at " + start + " (best static " + best + ")";
        res.convergence.add(traced(launcher, "spillway-start-" + start, label, backendPort,
            AdaptiveConfig.adaptiveStartingAt(start), 0, b.mix(),
            Schedule.constant(res.calibration.goodput() * res.convergenceMultiple,
                Duration.ofMillis((long) (res.convergenceSeconds * 1000)), Arrivals.poisson(CapacityBackend.SEED + 5)),
            b.timeout()));
      }
    }

    /**
     * A fifth of the requests are non-streamed answers of 30–60 s (3–6 s in quick mode), offered at 60 % of
     * the backend's slots; the run lasts longer than the longest answer, so the limit sees them complete.
     */
    private void mix(Launcher launcher, int backendPort, int best) throws Exception {
      int port = backendPort;
      double tokensPerSecond;
      double shortSeconds;
      if (b.mixOptions() != null) {
        port = Proc.freePort();
        launcher.mockWith("backend-" + b.key() + "-mix", port, b.mixOptions());
        tokensPerSecond = 50;
        // The fixed mock: 50 ms to the first token, then 50 tokens/s.
        shortSeconds = 0.05 + (b.mixShort().answer().mean() - 1) / tokensPerSecond;
      } else {
        tokensPerSecond = res.calibration.decodeTokensPerSecond();
        shortSeconds = res.calibration.meanServiceSeconds();
      }
      double scale = o.pick(1.0, 0.1);
      int shortest = (int) Math.max(2, Math.round(30 * scale * tokensPerSecond));
      int longest = (int) Math.max(shortest, Math.round(60 * scale * tokensPerSecond));
      RequestMix.Kind longAnswers = new RequestMix.Kind("long answer", 0.2, 0, b.mixShort().prompt(),
          Lengths.uniform(shortest, longest));
      RequestMix.Kind chat = new RequestMix.Kind(b.mixShort().name(), 0.8, b.mixShort().streamFraction(),
          b.mixShort().prompt(), b.mixShort().answer());
      RequestMix mix = new RequestMix(List.of(chat, longAnswers), CapacityBackend.TENANTS, CapacityBackend.SEED + 11);
      double meanService = 0.8 * shortSeconds + 0.2 * 45 * scale;
      double rate = 0.6 * best / meanService;
      double seconds = o.pick(75.0, 8.0);
      res.mixSlots = best;
      res.mixDescription = String.format(Locale.ROOT, "%.2f req/s for %.0f s (60 %% of %d slots at a mean service "
          + "time of %.2f s); %s; long answers %d–%d tokens at %.0f tokens/s", rate, seconds, best, meanService,
          mix.describe(), shortest, longest, tokensPerSecond);
      res.mix = traced(launcher, "spillway-mix", "long-answer mix", port, AdaptiveConfig.ADAPTIVE, 0, mix,
          Schedule.constant(rate, Duration.ofMillis((long) (seconds * 1000)), Arrivals.poisson(CapacityBackend.SEED + 13)),
          Duration.ofSeconds((long) (70 * scale) + 10));
    }

    private void overflow(Launcher launcher, int backendPort) throws Exception {
      int second = Proc.freePort();
      launcher.mockWith("backend-" + b.key() + "-overflow", second, b.options());
      res.overflowMultiple = 5;
      res.overflow = traced(launcher, "spillway-overflow", "two tiers at 5×", backendPort, AdaptiveConfig.ADAPTIVE,
          second, b.mix(), Schedule.constant(res.calibration.goodput() * res.overflowMultiple, step,
              Arrivals.poisson(CapacityBackend.SEED + 17)), b.timeout());
    }

    /** Starts a Spillway of its own, runs {@code schedule} through it scraping its limit, stops it. */
    private UnknownCapacityResults.Traced traced(Launcher launcher, String name, String label, int backendPort,
        String concurrency, int overflowPort, RequestSource requests, Schedule schedule, Duration timeout) {
      int port = Proc.freePort();
      int admin = Proc.freePort();
      ChildProcess spillway;
      try {
        spillway = launcher.spillway(name, AdaptiveConfig.yaml(port, admin, backendPort, concurrency, overflowPort),
            port);
      } catch (Exception e) {
        Peers.loud("unknown-capacity: " + label + ": Spillway did not start: " + e.getMessage());
        return new UnknownCapacityResults.Traced(label, null, List.of(), List.of(),
            "Spillway did not start with this config: " + oneLine(e.getMessage()));
      }
      client.closeAll();
      ChildProcess.sleep(o.pick(1000, 200));
      MetricsScraper scraper = new MetricsScraper(admin, "/metrics",
          List.of(AdaptiveConfig.LIMIT_GAUGE, AdaptiveConfig.IN_FLIGHT_GAUGE));
      try {
        LoadResult r = runner.runAbandoning(new Target(label, port), requests, schedule, timeout, drain,
            startScraper(scraper));
        RunStats stats = new RunStats(r, schedule.durationNanos() / 1e9);
        System.out.printf(Locale.ROOT, "unknown-capacity %s %s: %s%n", b.key(), label, stats);
        return new UnknownCapacityResults.Traced(label, stats, scraper.samples(AdaptiveConfig.LIMIT_GAUGE),
            scraper.samples(AdaptiveConfig.IN_FLIGHT_GAUGE), null);
      } finally {
        scraper.close();
        spillway.stop();
      }
    }

    private LoadResult run(Target target, RequestSource requests, Schedule schedule, MetricsScraper scraper) {
      return runner.runAbandoning(target, requests, schedule, b.timeout(), drain, startScraper(scraper));
    }

    private static LongConsumer startScraper(MetricsScraper scraper) {
      return origin -> {
        if (scraper != null) {
          scraper.start(origin, SCRAPE_PERIOD);
        }
      };
    }
  }
}
