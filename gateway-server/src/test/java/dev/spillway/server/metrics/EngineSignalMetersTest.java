package dev.spillway.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.EndpointAddress;
import dev.spillway.core.config.EngineSignalConfig;
import dev.spillway.core.config.EngineSignalConfig.EnginePreset;
import dev.spillway.core.time.FakeTicker;
import dev.spillway.core.upstream.Endpoint;
import dev.spillway.core.upstream.engine.EngineSignals;
import dev.spillway.core.upstream.engine.SignalFixtures;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class EngineSignalMetersTest {
  @Test
  void exportsTheLastScrapeAndWhetherItIsFresh() {
    FakeTicker ticker = new FakeTicker();
    EngineSignals signals = new EngineSignals(List.of(new Endpoint(new EndpointAddress("10.0.0.1", 8000))),
        EngineSignalConfig.of(EnginePreset.VLLM), ticker);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    EngineSignalMeters.bind(registry, "llm", signals);

    SignalFixtures.record(signals, 0, 12, 3, 0.5);
    SignalFixtures.fail(signals, 0, "status 503");
    String fresh = registry.scrape();
    ticker.advance(Duration.ofSeconds(2));
    String stale = registry.scrape();

    String labels = "{backend=\"llm\",endpoint=\"http://10.0.0.1:8000\"}";
    assertThat(fresh).contains("spillway_engine_running" + labels + " 12.0")
        .contains("spillway_engine_waiting" + labels + " 3.0")
        .contains("spillway_engine_kv_cache_usage" + labels + " 0.5")
        .contains("spillway_engine_signal_fresh" + labels + " 1.0")
        .contains("spillway_engine_scrape_failures_total" + labels + " 1.0");
    assertThat(stale).contains("spillway_engine_signal_fresh" + labels + " 0.0")
        .contains("spillway_engine_waiting" + labels + " 3.0");
  }
}
