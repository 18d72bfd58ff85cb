package dev.spillway.bench.scenario;

import dev.spillway.bench.load.Arrivals;
import dev.spillway.bench.load.Schedule;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The unknown-capacity scenario's overflow part: a route whose second tier takes what the first one's adaptive
 * limit sheds, both limits learned from a cold start.
 */
final class UnknownCapacityOverflow {
  private final UnknownCapacityLoad load;
  private final ScenarioOptions o;
  private final UnknownCapacityResults res;
  private final CapacityBackend b;

  UnknownCapacityOverflow(UnknownCapacityLoad load) {
    this.load = load;
    this.o = load.o;
    this.res = load.res;
    this.b = load.b;
  }

  /**
   * 5× one backend's capacity through a route whose second tier takes overflow, from a cold start (both
   * adaptive limits start unknown) for long enough that both limits settle: the report judges the first
   * seconds and the second half apart.
   */
  void overflow(Starts.Gateway gateway, int primaryPort, int overflowPort) {
    res.overflowMultiple = 5;
    res.overflowSeconds = b.capacityKnown() ? o.pick(30.0, 3.0) : o.pick(60.0, 4.0);
    res.overflow = load.traced(gateway, "two tiers at 5×", b.mix(), Schedule.constant(res.calibration.goodput()
        * res.overflowMultiple, Duration.ofMillis((long) (res.overflowSeconds * 1000)),
        Arrivals.poisson(CapacityBackend.SEED + 17)), b.timeout(),
        List.of(AdaptiveConfig.OVERFLOW_LIMIT_GAUGE, AdaptiveConfig.OVERFLOW_IN_FLIGHT_GAUGE),
        List.of(primaryPort, overflowPort));
    res.overflowLimit = res.overflow.extra().getOrDefault(AdaptiveConfig.OVERFLOW_LIMIT_GAUGE, List.of());
    res.overflowInFlight = res.overflow.extra().getOrDefault(AdaptiveConfig.OVERFLOW_IN_FLIGHT_GAUGE, List.of());
    if (res.overflow.stats() != null) {
      RunStats steady = res.overflow.stats().window(res.overflowSeconds / 2, res.overflowSeconds);
      System.out.printf(Locale.ROOT, "unknown-capacity %s two tiers, second half: %s%n", b.key(), steady);
      List<EngineTrace> engines = res.overflow.engines();
      for (int i = 0; i < engines.size(); i++) {
        EngineTrace e = engines.get(i);
        System.out.printf(Locale.ROOT, "unknown-capacity %s two tiers, %s engine: waiting max %.0f in the first 10 s, "
            + "%.0f in the second half; running max %.0f%n", b.key(), i == 0 ? "primary" : "overflow",
            EngineTrace.max(e.waiting(), 0, 10), EngineTrace.max(e.waiting(), res.overflowSeconds / 2,
            res.overflowSeconds), EngineTrace.max(e.running()));
      }
    }
  }
}
