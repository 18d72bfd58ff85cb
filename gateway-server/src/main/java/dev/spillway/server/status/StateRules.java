package dev.spillway.server.status;

import dev.spillway.server.config.StatusConfig;
import java.util.Locale;

/**
 * Turns a component's numbers into its state. The state follows the last {@value #RECENT_SECONDS} seconds
 * (the whole {@code status.window} when those hold fewer than {@code minRequests} requests), so a total loss
 * under steady traffic reads as an outage within seconds and a recovery as soon as requests succeed again;
 * the longer window is kept in the reason for context.
 *
 * <p>An outage needs most requests failing, or no endpoint to send them to; at capacity means shedding for
 * capacity above the configured share, or a waiting room at least half full; degraded means a noticeable
 * error rate, some endpoints out of rotation, or a route answered mostly by a fallback backend. Too few
 * requests leave a component operational: one failure out of two is not an outage.
 */
final class StateRules {
  /** How many of the last seconds decide a state. */
  static final int RECENT_SECONDS = 5;

  private final StatusConfig config;
  private final int windowSeconds;
  private final int recentSeconds;

  StateRules(StatusConfig config) {
    this.config = config;
    this.windowSeconds = (int) config.window().toSeconds();
    this.recentSeconds = Math.min(RECENT_SECONDS, windowSeconds);
  }

  int windowSeconds() {
    return windowSeconds;
  }

  int recentSeconds() {
    return recentSeconds;
  }

  /**
   * @param recent the last {@link #recentSeconds()}
   * @param history the whole window, for context (and the state when {@code recent} is too thin)
   * @param maxQueue the waiting room's size, or 0 when the component has none
   * @param endpoints a backend's endpoints, or {@link EndpointAvailability#NOT_APPLICABLE}
   * @param fallback the fallback backend a route was last answered by, or {@code null}
   */
  Assessment assess(WindowStats recent, WindowStats history, int maxQueue, EndpointAvailability endpoints,
      String fallback) {
    boolean useRecent = recent.total() >= config.minRequests();
    WindowStats w = useRecent ? recent : history;
    String window = " in the last " + w.seconds() + "s";
    String context = useRecent && recentSeconds < windowSeconds && history.total() > 0
        ? " (" + percent(history.failedRate()) + " failed over " + windowSeconds + "s)" : "";
    if (endpoints.total() == 0) {
      return new Assessment(ComponentState.OUTAGE, "no endpoints to send requests to", w);
    }
    if (endpoints.noneAvailable()) {
      return new Assessment(ComponentState.OUTAGE, "no endpoint available (" + endpoints.why() + ")"
          + (w.failed() > 0 ? "; " + percent(w.failedRate()) + " of requests failed" + window : ""), w);
    }
    String unavailable = endpoints.someUnavailable() ? "; " + (endpoints.total() - endpoints.available())
        + " of " + endpoints.total() + " endpoints out (" + endpoints.why() + ")" : "";
    boolean enough = w.total() >= config.minRequests();
    if (enough && w.failedRate() >= config.outageErrorRate()) {
      return new Assessment(ComponentState.OUTAGE, percent(w.failedRate()) + " of requests failed" + window
          + context + unavailable, w);
    }
    if (enough && w.shed() > 0 && w.shedRate() >= config.atCapacityShedRate()) {
      return new Assessment(ComponentState.AT_CAPACITY, "shedding " + percent(w.shedRate()) + " of requests ("
          + w.shed() + " shed" + window + ", peak " + w.peakShedPerSecond() + "/s)" + unavailable, w);
    }
    if (maxQueue > 0 && recent.maxQueued() * 2 >= maxQueue) {
      return new Assessment(ComponentState.AT_CAPACITY, "waiting room " + recent.maxQueued() + "/" + maxQueue
          + " full in the last " + recent.seconds() + "s" + unavailable, w);
    }
    if (enough && w.failedRate() >= config.degradedErrorRate()) {
      return new Assessment(ComponentState.DEGRADED, percent(w.failedRate()) + " of requests failed" + window
          + context + unavailable, w);
    }
    if (endpoints.someUnavailable()) {
      return new Assessment(ComponentState.DEGRADED, (endpoints.total() - endpoints.available()) + " of "
          + endpoints.total() + " endpoints out (" + endpoints.why() + "); " + (w.total() == 0 ? "no recent traffic"
          : percent(w.failedRate()) + " of requests failed" + window), w);
    }
    if (fallback != null && w.fallback() > 0 && w.fallbackRate() >= 0.5) {
      return new Assessment(ComponentState.DEGRADED, "served by fallback " + fallback + " ("
          + percent(w.fallbackRate()) + " of answered requests" + window + ")", w);
    }
    return new Assessment(ComponentState.OPERATIONAL, (w.total() == 0 ? "no recent traffic"
        : w.total() + " requests" + window + ", " + percent(w.failedRate()) + " failed" + context) + unavailable,
        w);
  }

  static String percent(double share) {
    double p = share * 100;
    return p >= 10 || p == 0 ? Math.round(p) + "%" : String.format(Locale.ROOT, "%.1f%%", p);
  }
}
