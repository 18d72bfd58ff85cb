package dev.spillway.server.status;

import dev.spillway.core.overload.OverloadManager;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Supplier;

/**
 * The components of kind {@code gateway}: the overload manager ({@code gateway/overload}) and those whose owners
 * assess them (e.g. the limiter store). They register from any thread and are assessed on the monitor thread.
 */
final class GatewayComponents {
  /** The gateway's overload manager; {@code null} until watched. */
  private volatile OverloadManager overload;
  /** Assessed by their owners, by name; sorted so the page lists them in a stable order. */
  private final Map<String, Supplier<Assessment>> assessed = new ConcurrentSkipListMap<>();

  /** Shows {@code overload} as {@code gateway/overload}. */
  void watchOverload(OverloadManager overload) {
    this.overload = overload;
  }

  /** Shows {@code gateway/<name>} in the state {@code assessment} gives. */
  void watch(String name, Supplier<Assessment> assessment) {
    assessed.put(name, assessment);
  }

  /**
   * Adds a status per watched component to {@code components}; an overloaded gateway also raises a shedding
   * condition in {@code signals}. Returns the worst state among them.
   */
  ComponentState assess(List<ComponentStatus> components, List<Signal> signals) {
    ComponentState overall = ComponentState.OPERATIONAL;
    OverloadManager watched = overload;
    if (watched != null) {
      Assessment a = OverloadAssessment.of(watched);
      components.add(new ComponentStatus("gateway", "overload", a, -1, -1, -1, -1));
      if (a.state() == ComponentState.AT_CAPACITY) {
        signals.add(new Signal("shedding:gateway overload", Signal.Kind.SHEDDING, "gateway overload", a.reason(), 0));
      }
      overall = ComponentTracks.worse(overall, a.state());
    }
    for (Map.Entry<String, Supplier<Assessment>> e : assessed.entrySet()) {
      Assessment a = e.getValue().get();
      components.add(new ComponentStatus("gateway", e.getKey(), a, -1, -1, -1, -1));
      overall = ComponentTracks.worse(overall, a.state());
    }
    return overall;
  }
}
