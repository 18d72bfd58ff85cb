package dev.spillway.bench.scenario;

import dev.spillway.bench.load.LoadClient;
import dev.spillway.bench.load.LoadRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Does Spillway find a backend's capacity on its own? Spillway gets only {@code concurrency: {mode: adaptive}}
 * and its defaults, in front of (a) the LLM engine simulator with its defaults and (b) a fixed mock of 64
 * slots × 50 ms with a 1,024-deep queue of its own. The backend's capacity is measured straight first
 * (calibration); then, side by side with nginx {@code limit_conn} told that capacity and with Spillway
 * without a limit: offered load from 0.5× to 10× capacity (Poisson, and bursty at 1×), a spike to 10×,
 * convergence from a starting limit far below and far above, a mix where a fifth of the requests are
 * non-streamed answers of 30–60 s, and a second backend as an overflow tier at 5×. On the simulator, which
 * serves engine metrics, Spillway also runs with {@code engineSignal: {preset: vllm}} added (its own gateways;
 * sweep, spike and convergence; {@code -Dunknown.engineSignal=false} skips it, and it is skipped in quick mode
 * unless {@code =true}). See
 * {@link UnknownCapacityRun} for the runs against each backend and {@link UnknownCapacityReport} for what is
 * reported. The fixed mock's latency is 500 ms unless
 * {@code -Dunknown.fixedLatency} says otherwise (see {@link #fixedLatency()}); {@code -Dunknown.fixedJitter}
 * draws each of its requests' latency around it, and {@code -Dunknown.streamShare} sets the share of the
 * requests that stream, on either backend (by default half on the fixed mock, 80 % on the simulator).
 *
 * <p>Backends run: {@code -Dunknown.backends=fixed,llm}; by default both in full mode and only the fixed mock
 * (4 slots) in quick mode, which keeps the quick run under a minute.
 */
final class UnknownCapacityScenario implements Scenario {
  static final double[] MULTIPLES = {0.5, 1, 2, 5, 10};
  static final Duration SCRAPE_PERIOD = Duration.ofMillis(250);
  static final String ADAPTIVE_LABEL = "Spillway adaptive (never told)";
  static final String UNLIMITED_LABEL = "Spillway, no limit";
  /** Adaptive bounded by the engine's own waiting queue, on backends that serve engine metrics. */
  static final String ENGINE_LABEL = "Spillway adaptive + engine signals"
      + ("override".equals(AdaptiveConfig.engineCombine()) ? ", combine: override" : "") + " (never told)";
  /** The convergence runs of the engine-signal gateways are labelled with this prefix. */
  static final String ENGINE_CONVERGENCE_PREFIX = "engine signals, ";

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
        new UnknownCapacityRun(o, client, runner, results).run();
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
        case "fixed" -> list.add(o.quick()
            ? CapacityBackend.fixed(4, Duration.ofMillis(50), 64, fixedJitter(),
                streamShare(CapacityBackend.FIXED_STREAM_SHARE))
            : CapacityBackend.fixed(64, fixedLatency(), 1024, fixedJitter(),
                streamShare(CapacityBackend.FIXED_STREAM_SHARE)));
        case "llm" -> list.add(CapacityBackend.llm(streamShare(CapacityBackend.LLM_STREAM_SHARE)));
        default -> throw new IllegalArgumentException("unknown.backends: " + key + " (expected: fixed, llm)");
      }
    }
    return list;
  }

  /**
   * The fixed mock's latency in full mode: {@code -Dunknown.fixedLatency=50ms} gives 64 × 50 ms = 1,280 req/s,
   * 12,800 at 10×, more than a shared two-core machine can generate and proxy; the default, 500 ms, keeps the
   * 64 slots and the 1,024-deep queue at a tenth of the rate.
   */
  private static Duration fixedLatency() {
    String text = System.getProperty("unknown.fixedLatency", "500ms");
    return dev.spillway.core.config.Durations.parse(text);
  }

  /**
   * {@code -Dunknown.fixedJitter=0.5}: each of the fixed mock's requests takes a latency drawn within ±50 % of
   * its latency ({@code mock-backend --latency-jitter}); default 0, the same latency for all.
   */
  private static double fixedJitter() {
    double jitter = Double.parseDouble(System.getProperty("unknown.fixedJitter", "0"));
    if (!(jitter >= 0 && jitter < 1)) {
      throw new IllegalArgumentException("unknown.fixedJitter: " + jitter + " (expected: >= 0 and < 1)");
    }
    return jitter;
  }

  /** {@code -Dunknown.streamShare=0.5}: the share of the requests that stream, else {@code otherwise}. */
  private static double streamShare(double otherwise) {
    double share = Double.parseDouble(System.getProperty("unknown.streamShare", Double.toString(otherwise)));
    if (!(share >= 0 && share <= 1)) {
      throw new IllegalArgumentException("unknown.streamShare: " + share + " (expected: 0..1)");
    }
    return share;
  }

  static String oneLine(String s) {
    return s == null ? "(no message)" : s.replace('\n', ' ').replace('|', '/');
  }
}
