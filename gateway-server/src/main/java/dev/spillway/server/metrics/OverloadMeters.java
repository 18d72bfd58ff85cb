package dev.spillway.server.metrics;

import dev.spillway.core.overload.OverloadAction;
import dev.spillway.core.overload.OverloadManager;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** The overload manager's meters: one gauge per action, the pressures, connections and what was turned away. */
final class OverloadMeters {
  private OverloadMeters() {}

  static void bind(MeterRegistry registry, OverloadManager overload) {
    for (OverloadAction action : OverloadAction.values()) {
      Gauge.builder("spillway_overload_action_active", overload, o -> o.isActive(action) ? 1 : 0)
          .description("1 while the overload action is in force").tag("action", action.tag()).register(registry);
    }
    Gauge.builder("spillway_overload_pressure", overload, OverloadManager::heapPressure)
        .description("Memory in use as a share of its maximum (heap: after the last GC)").tag("resource", "heap")
        .register(registry);
    Gauge.builder("spillway_overload_pressure", overload, OverloadManager::directMemoryPressure)
        .description("Memory in use as a share of its maximum (heap: after the last GC)")
        .tag("resource", "direct_memory").register(registry);
    Gauge.builder("spillway_client_connections", overload, OverloadManager::connections)
        .description("Client connections open").register(registry);
    FunctionCounter.builder("spillway_overload_rejected_connections", overload, OverloadManager::rejectedConnections)
        .description("Connections closed at accept over server.overload.maxConnections").register(registry);
    FunctionCounter.builder("spillway_overload_rejected_requests", overload, OverloadManager::rejectedRequests)
        .description("Requests answered 503 while the stop_accepting action was in force").register(registry);
  }
}
