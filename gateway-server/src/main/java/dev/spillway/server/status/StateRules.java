package dev.spillway.server.status;

import dev.spillway.server.config.StatusConfig;
import java.util.Locale;

/**
 * Turns a component's recent numbers into its state. An outage needs most requests failing (or nothing to
 * send them to); at capacity means shedding for capacity above the configured share, or a waiting room at
 * least half full; degraded means a noticeable error rate. Too few requests in the window leave a component
 * operational: one failure out of two is not an outage.
 */
final class StateRules {
  private final StatusConfig config;
  private final int windowSeconds;

  StateRules(StatusConfig config) {
    this.config = config;
    this.windowSeconds = (int) config.window().toSeconds();
  }

  int windowSeconds() {
    return windowSeconds;
  }

  /**
   * @param maxQueue the waiting room's size, or 0 when the component has none
   * @param endpoints the backend's endpoint count, or -1 for a component that is not a backend
   */
  Assessment assess(WindowStats w, int maxQueue, int endpoints) {
    String window = " in the last " + windowSeconds + "s";
    if (endpoints == 0) {
      return new Assessment(ComponentState.OUTAGE, "no endpoints to send requests to", w);
    }
    boolean enough = w.total() >= config.minRequests();
    if (enough && w.errorRate() >= config.outageErrorRate()) {
      return new Assessment(ComponentState.OUTAGE, percent(w.errorRate()) + " of requests failed" + window, w);
    }
    if (enough && w.shed() > 0 && w.shedRate() >= config.atCapacityShedRate()) {
      return new Assessment(ComponentState.AT_CAPACITY, "shedding " + percent(w.shedRate()) + " of requests ("
          + w.shed() + " shed" + window + ", peak " + w.peakShedPerSecond() + "/s)", w);
    }
    if (maxQueue > 0 && w.maxQueued() * 2 >= maxQueue) {
      return new Assessment(ComponentState.AT_CAPACITY, "waiting room " + w.maxQueued() + "/" + maxQueue
          + " full" + window, w);
    }
    if (enough && w.errorRate() >= config.degradedErrorRate()) {
      return new Assessment(ComponentState.DEGRADED, percent(w.errorRate()) + " of requests failed" + window, w);
    }
    return new Assessment(ComponentState.OPERATIONAL, w.total() == 0 ? "no recent traffic"
        : w.total() + " requests" + window + ", " + percent(w.errorRate()) + " failed", w);
  }

  static String percent(double share) {
    double p = share * 100;
    return p >= 10 || p == 0 ? Math.round(p) + "%" : String.format(Locale.ROOT, "%.1f%%", p);
  }
}
