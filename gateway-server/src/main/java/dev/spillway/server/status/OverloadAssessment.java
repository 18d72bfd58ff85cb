package dev.spillway.server.status;

import dev.spillway.core.overload.OverloadAction;
import dev.spillway.core.overload.OverloadManager;

/**
 * The status page's view of the overload manager, as the component {@code gateway/overload}: at capacity while
 * new requests are turned away, degraded while keep-alive is off or timeouts are short, operational otherwise.
 */
final class OverloadAssessment {
  private static final WindowStats NO_WINDOW = WindowStats.empty(0);

  private OverloadAssessment() {}

  static Assessment of(OverloadManager overload) {
    String pressures = "heap " + percent(overload.heapPressure()) + ", direct memory "
        + percent(overload.directMemoryPressure()) + ", " + overload.connections() + " connections";
    int max = overload.config().maxConnections();
    if (overload.isActive(OverloadAction.STOP_ACCEPTING)) {
      return new Assessment(ComponentState.AT_CAPACITY, "memory pressure: new requests get 503 (" + pressures + ")",
          NO_WINDOW);
    }
    if (!overload.activeActions().isEmpty()) {
      return new Assessment(ComponentState.DEGRADED, "memory pressure: " + describe(overload) + " (" + pressures
          + ")", NO_WINDOW);
    }
    if (max > 0 && overload.connections() >= max) {
      return new Assessment(ComponentState.AT_CAPACITY, "connection cap reached: new connections are closed ("
          + pressures + ")", NO_WINDOW);
    }
    return new Assessment(ComponentState.OPERATIONAL, pressures, NO_WINDOW);
  }

  private static String describe(OverloadManager overload) {
    StringBuilder sb = new StringBuilder();
    for (OverloadAction action : overload.activeActions()) {
      sb.append(sb.length() == 0 ? "" : ", ").append(switch (action) {
        case KEEP_ALIVE_OFF -> "keep-alive off";
        case SHORTEN_TIMEOUTS -> "client timeouts shortened";
        case STOP_ACCEPTING -> "new requests refused";
      });
    }
    return sb.toString();
  }

  private static String percent(double pressure) {
    return Math.round(pressure * 100) + "%";
  }
}
