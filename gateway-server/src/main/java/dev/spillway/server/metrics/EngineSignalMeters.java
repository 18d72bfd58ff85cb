package dev.spillway.server.metrics;

import dev.spillway.core.upstream.engine.EndpointSignal;
import dev.spillway.core.upstream.engine.EngineSample;
import dev.spillway.core.upstream.engine.EngineSignals;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Per endpoint of a backend with {@code concurrency.engineSignal}: what its engine last reported, how old that
 * is, and how many scrapes failed. The values are the last successful scrape's even when it is stale;
 * {@code spillway_engine_signal_fresh} says whether the gateway still acts on them.
 */
final class EngineSignalMeters {
  private EngineSignalMeters() {}

  /** Registers the gauges of every endpoint's signal; returns them (to remove with the backend). */
  static java.util.List<io.micrometer.core.instrument.Meter> bind(MeterRegistry registry, String backend,
      EngineSignals signals) {
    java.util.List<io.micrometer.core.instrument.Meter> out = new java.util.ArrayList<>();
    for (EndpointSignal signal : signals.all()) {
      String endpoint = signal.endpoint().toString();
      out.add(Gauge.builder("spillway_engine_running", signal, s -> value(s, EngineSample::running))
          .description("Requests in the engine's running batch, as last scraped")
          .tags("backend", backend, "endpoint", endpoint).register(registry));
      out.add(Gauge.builder("spillway_engine_waiting", signal, s -> value(s, EngineSample::waiting))
          .description("Requests waiting in the engine's queue, as last scraped")
          .tags("backend", backend, "endpoint", endpoint).register(registry));
      out.add(Gauge.builder("spillway_engine_kv_cache_usage", signal, s -> value(s, EngineSample::kvCacheUsage))
          .description("The engine's KV-cache use from 0 to 1, as last scraped")
          .tags("backend", backend, "endpoint", endpoint).register(registry));
      out.add(Gauge.builder("spillway_engine_signal_fresh", signal,
              s -> s.fresh(signals.ticker().nanoTime()) != null ? 1 : 0)
          .description("1 while the last scrape is recent enough to pick endpoints and bound the limit")
          .tags("backend", backend, "endpoint", endpoint).register(registry));
      out.add(FunctionCounter.builder("spillway_engine_scrape_failures", signal, EndpointSignal::failures)
          .description("Engine metrics scrapes that failed")
          .tags("backend", backend, "endpoint", endpoint).register(registry));
    }
    return out;
  }

  private static double value(EndpointSignal signal, java.util.function.ToDoubleFunction<EngineSample> field) {
    EngineSample s = signal.last();
    return s == null ? Double.NaN : field.applyAsDouble(s);
  }
}
