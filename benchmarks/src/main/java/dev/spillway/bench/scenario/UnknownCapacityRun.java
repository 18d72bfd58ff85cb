package dev.spillway.bench.scenario;

import dev.spillway.bench.load.Arrivals;
import dev.spillway.bench.load.LoadClient;
import dev.spillway.bench.load.LoadRunner;
import dev.spillway.bench.load.Schedule;
import dev.spillway.bench.load.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The unknown-capacity scenario's runs against one backend ({@link UnknownCapacityScenario}): calibration,
 * the load staircase, the spike, convergence, the long-answer mix and the overflow tier. It starts every process
 * up front and stops each when it ends, and runs the parts in order; each part is a class of its own
 * ({@link UnknownCapacityCalibration}, {@link UnknownCapacitySweep}, {@link UnknownCapacityDynamics},
 * {@link UnknownCapacityOverflow}) sharing one {@link UnknownCapacityLoad}.
 */
final class UnknownCapacityRun {
  private final ScenarioOptions o;
  private final UnknownCapacityResults res;
  private final CapacityBackend b;
  private final UnknownCapacityLoad load;

  UnknownCapacityRun(ScenarioOptions o, LoadClient client, LoadRunner runner, UnknownCapacityResults res) {
    this.o = o;
    this.res = res;
    this.b = res.backend;
    this.load = new UnknownCapacityLoad(o, client, runner, res);
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
      load.watchBackends(List.of(backendPort, mixPort, overflowPort));
      Starts.Gateway adaptive = starts.spillway("spillway-adaptive", backendPort, AdaptiveConfig.ADAPTIVE, 0);
      Starts.Gateway low = starts.spillway("spillway-start-4", backendPort, AdaptiveConfig.adaptiveStartingAt(4), 0);
      Starts.Gateway high = starts.spillway("spillway-start-1024", backendPort,
          AdaptiveConfig.adaptiveStartingAt(1024), 0);
      Starts.Gateway mix = starts.spillway("spillway-mix", mixPort, AdaptiveConfig.ADAPTIVE, 0);
      Starts.Gateway overflow = starts.spillway("spillway-overflow", backendPort, AdaptiveConfig.ADAPTIVE,
          overflowPort);
      EngineGateways engine = engineSignal() ? new EngineGateways(
          part("sweep") || part("spike") ? starts.spillway("spillway-engine", backendPort, AdaptiveConfig.ENGINE_SIGNAL, 0)
              : null,
          part("convergence") ? starts.spillway("spillway-engine-start-4", backendPort,
              AdaptiveConfig.engineSignalStartingAt(4), 0) : null,
          part("convergence") ? starts.spillway("spillway-engine-start-1024", backendPort,
              AdaptiveConfig.engineSignalStartingAt(1024), 0) : null) : null;
      // The baseline, what the backend does with everything offered to it: for the fixed mock in full mode
      // only (the simulator's levels take too long to run a third time).
      Starts.Gateway plain = o.quick() || !b.capacityKnown() ? null
          : starts.spillway("spillway-nolimit", backendPort, null, 0);
      starts.await();
      if (adaptive.failure() != null) {
        throw new IllegalStateException(adaptive.failure());
      }

      Target direct = new Target("direct", backendPort);
      res.calibration = new UnknownCapacityCalibration(load).calibrate(direct, backendPort);
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
        Peers.loud("unknown-capacity: nginx is not available or not chosen (-Dproxies); the side-by-side nginx"
            + " limit_conn runs are SKIPPED");
        res.notes.add("nginx was not available here, or not chosen (`-Dproxies`): its side-by-side runs were"
            + " skipped.");
      }

      Target adaptiveTarget = new Target(UnknownCapacityScenario.ADAPTIVE_LABEL, adaptive.port);
      List<UnknownCapacityResults.Point> points = points();
      UnknownCapacitySweep sweep = new UnknownCapacitySweep(load);
      UnknownCapacityDynamics dynamics = new UnknownCapacityDynamics(load);
      if (part("sweep")) {
        res.sweep.put(UnknownCapacityScenario.ADAPTIVE_LABEL, sweep.sweep(adaptiveTarget, adaptive.admin, points));
        if (engine != null && engine.usable(engine.main, res)) {
          res.sweep.put(UnknownCapacityScenario.ENGINE_LABEL, sweep.sweep(engine.target(), engine.main.admin, points));
        }
        if (nginx != null) {
          res.sweep.put(nginx.name(), sweep.sweep(nginx, 0, points));
        }
      }
      if (plain != null) {
        if (plain.failure() != null) {
          res.notes.add("Spillway without a limit did not start: " + plain.failure());
        } else if (part("sweep")) {
          res.sweep.put(UnknownCapacityScenario.UNLIMITED_LABEL, sweep.sweep(new Target(UnknownCapacityScenario.UNLIMITED_LABEL, plain.port), 0, points));
        }
        plain.stop();
      }
      if (part("spike")) {
        dynamics.spike(adaptiveTarget, adaptive.admin, backendPort);
        if (engine != null && engine.usable(engine.main, res)) {
          dynamics.spike(engine.target(), engine.main.admin, backendPort);
        }
        if (nginx != null) {
          dynamics.spike(nginx, 0, backendPort);
        }
      }
      if (part("convergence")) {
        dynamics.convergence(low, high, told);
        if (engine != null) {
          engineConvergence(engine, told, backendPort);
        }
      }
      if (part("mix")) {
        dynamics.mix(mix, told, mixPort);
      }
      if (part("overflow")) {
        new UnknownCapacityOverflow(load).overflow(overflow, backendPort, overflowPort);
      }
    }
  }

  /**
   * The engine-signal target's gateways: one for the sweep and the spike, two for convergence (null when their
   * part does not run).
   */
  private record EngineGateways(Starts.Gateway main, Starts.Gateway low, Starts.Gateway high) {
    Target target() {
      return new Target(UnknownCapacityScenario.ENGINE_LABEL, main.port);
    }

    /** Whether {@code g} runs; notes why not once when it does not. */
    boolean usable(Starts.Gateway g, UnknownCapacityResults res) {
      String failure = g == null ? "not started" : g.failure();
      if (failure != null && res.notes.stream().noneMatch(n -> n.startsWith("Spillway with engine signals"))) {
        res.notes.add("Spillway with engine signals did not start: " + failure);
      }
      return failure == null;
    }
  }

  /**
   * Whether the engine-signal target runs: only against a backend that serves engine metrics (the simulator;
   * the fixed mock has none), by default in full mode only; {@code -Dunknown.engineSignal=false} skips it,
   * {@code =true} runs it in quick mode too.
   */
  private boolean engineSignal() {
    boolean wanted = Boolean.parseBoolean(System.getProperty("unknown.engineSignal", Boolean.toString(!o.quick())));
    return wanted && b.runningGauge() != null;
  }

  /**
   * Convergence as {@link UnknownCapacityDynamics#convergence} (same load, same schedule), through the
   * engine-signal gateways started at 4 and at 1024; their runs are labelled with
   * {@link UnknownCapacityScenario#ENGINE_CONVERGENCE_PREFIX}.
   */
  private void engineConvergence(EngineGateways engine, int best, int backendPort) {
    Schedule schedule = Schedule.constant(res.calibration.goodput() * res.convergenceMultiple,
        Duration.ofMillis((long) (res.convergenceSeconds * 1000)), Arrivals.poisson(CapacityBackend.SEED + 5));
    String prefix = UnknownCapacityScenario.ENGINE_CONVERGENCE_PREFIX;
    // The gateway's view of the engine too, printed every second: what the engine limit acted on.
    List<String> extra = List.of(AdaptiveConfig.ENGINE_WAITING_GAUGE, AdaptiveConfig.ENGINE_FRESH_GAUGE);
    res.convergence.add(load.traced(engine.low, prefix + "start at 4 (best static " + best + ")", b.mix(),
        schedule, b.timeout(), extra, List.of(backendPort)));
    res.convergence.add(load.traced(engine.high, prefix + "start at 1024 (best static " + best + ")", b.mix(),
        schedule, b.timeout(), extra, List.of(backendPort)));
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
}
