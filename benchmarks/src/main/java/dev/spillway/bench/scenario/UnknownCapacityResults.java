package dev.spillway.bench.scenario;

import dev.spillway.bench.load.Arrivals;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Everything the unknown-capacity scenario measured on one backend, for {@link UnknownCapacityReport}. */
final class UnknownCapacityResults {
  /**
   * The backend's capacity: its best goodput and best static limit from its model (the fixed mock's slots /
   * latency; the simulator's documented step-time model), cross-checked by a saturating run straight to it;
   * and the unloaded latencies, measured straight at half capacity.
   */
  record Calibration(double goodput, double tokenGoodput, double bestLimit, String method,
      double measuredGoodput, double measuredTokens, double measuredRunning,
      double unloadedStreamP99, double unloadedJsonP99, double decodeTokensPerSecond, double meanServiceSeconds) {}

  /** One load level of the sweep. */
  record Point(String label, double multiple, Arrivals arrivals) {}

  /**
   * One target at one load level; {@code meanLimit} is Spillway's limit over the level's second half,
   * {@code gatewayShedP99Ms} the p99 of Spillway's own shed time over the measured window (from its
   * {@code spillway_shed_duration_seconds} histogram), NaN when the target is not Spillway or shed nothing.
   */
  record Cell(Point point, RunStats stats, double meanLimit, double gatewayShedP99Ms) {
    Cell(Point point, RunStats stats, double meanLimit) {
      this(point, stats, meanLimit, Double.NaN);
    }
  }

  /**
   * A run whose limit was scraped over time, any other series asked for ({@code extra}, by series), and the
   * engines' own view when the backend has one ({@code engines}: the primary first; empty otherwise).
   */
  record Traced(String label, RunStats stats, List<MetricsScraper.Sample> limit, List<MetricsScraper.Sample> inFlight,
      String failure, Map<String, List<MetricsScraper.Sample>> extra, List<EngineTrace> engines) {
    Traced(String label, RunStats stats, List<MetricsScraper.Sample> limit, List<MetricsScraper.Sample> inFlight,
        String failure) {
      this(label, stats, limit, inFlight, failure, Map.of(), List.of());
    }

    /** The primary backend's engine trace, {@link EngineTrace#NONE} without one. */
    EngineTrace engine() {
      return engines.isEmpty() ? EngineTrace.NONE : engines.get(0);
    }
  }

  final CapacityBackend backend;
  final List<String> notes = new ArrayList<>();
  Calibration calibration;
  /** Sweep cells by target label, in load order. */
  final Map<String, List<Cell>> sweep = new LinkedHashMap<>();
  /**
   * Spike runs by target label, with their scraped series: Spillway's limit, in-flight count and waiting room
   * (in {@link Traced#extra}; none for nginx) and the engine's own view (the LLM backend only).
   */
  final Map<String, Traced> spikes = new LinkedHashMap<>();
  int[] spikePhases;
  double spikeRate;
  /** Convergence runs (start low, start high). */
  final List<Traced> convergence = new ArrayList<>();
  double convergenceMultiple;
  double convergenceSeconds;
  Traced mix;
  String mixDescription;
  int mixSlots;
  /** When the engine had room for one more request in the long-answer mix; null without engine metrics. */
  EngineRoom mixRoom;
  Traced overflow;
  double overflowMultiple;
  /** The two-tier run's length: the cold start is judged on its first seconds, the steady state on its second half. */
  double overflowSeconds;
  /** The overflow tier's limit and in-flight count in the two-tier run (the primary's are in {@link #overflow}). */
  List<MetricsScraper.Sample> overflowLimit = List.of();
  List<MetricsScraper.Sample> overflowInFlight = List.of();

  UnknownCapacityResults(CapacityBackend backend) {
    this.backend = backend;
  }
}
