package dev.spillway.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.EngineSignalConfig;
import dev.spillway.core.config.EngineSignalConfig.EnginePreset;
import dev.spillway.core.config.GatewayConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class EngineSignalConfigLoadingTest {
  private static String backend(String concurrency) {
    return """
        backends:
          primary:
            endpoints: [http://10.0.0.1:8000, http://10.0.0.2:8000]
            concurrency: %s
        routes:
          - name: chat
            backend: primary
        """.formatted(concurrency.replace("\n", "\n      "));
  }

  private static List<String> errors(String yaml) {
    return ConfigLoaderTest.errorsOf(yaml, "spillway.yaml", name -> null).stream().map(ConfigError::format).toList();
  }

  @Test
  void aPresetAloneGivesItsNamesAndTheDefaults() {
    GatewayConfig config = ConfigLoader.parse(backend("{mode: adaptive, engineSignal: {preset: sglang}}"),
        "s.yaml", name -> null);

    ConcurrencyConfig concurrency = config.backends().get("primary").concurrency();
    assertThat(concurrency.mode()).isEqualTo(ConcurrencyConfig.Mode.ADAPTIVE);
    assertThat(concurrency.engineSignal()).isEqualTo(EngineSignalConfig.of(EnginePreset.SGLANG));
  }

  @Test
  void everyKeyCanBeSet() {
    GatewayConfig config = ConfigLoader.parse(backend("""

              mode: adaptive
              engineSignal:
                preset: tgi
                path: /internal/metrics
                runningMetric: my_running
                waitingMetric: my_waiting
                kvCacheMetric: my_kv
                interval: 250ms
                timeout: 200ms
                staleAfter: 2s
                targetWaiting: 0
                maxResponseBytes: 64KiB
                combine: override"""), "s.yaml", name -> null);

    assertThat(config.backends().get("primary").concurrency().engineSignal()).isEqualTo(new EngineSignalConfig(
        EnginePreset.TGI, "/internal/metrics", "my_running", "my_waiting", "my_kv", Duration.ofMillis(250),
        Duration.ofMillis(200), Duration.ofSeconds(2), 0, 64 * 1024, EngineSignalConfig.Combine.OVERRIDE));
  }

  @Test
  void anIntervalAloneScalesTimeoutAndStaleness() {
    GatewayConfig config = ConfigLoader.parse(backend("{engineSignal: {interval: 1s}}"), "s.yaml",
        name -> null);

    EngineSignalConfig engine = config.backends().get("primary").concurrency().engineSignal();
    assertThat(engine.preset()).isEqualTo(EnginePreset.VLLM);
    assertThat(engine.timeout()).isEqualTo(Duration.ofMillis(800));
    assertThat(engine.staleAfter()).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void errorsNameTheKeyAndLine() {
    String yaml = backend("""

              mode: adaptive
              engineSignal:
                preset: triton
                intervall: 1s
                waitingMetric: "vllm waiting"
                """.stripTrailing());

    assertThat(errors(yaml)).containsExactly(
        "backends.primary.concurrency.engineSignal.preset: \"triton\" is not an engine preset (expected one of: "
            + "vllm, sglang, tgi) (line 7)",
        "backends.primary.concurrency.engineSignal.intervall: unknown key (expected one of: preset, path, "
            + "runningMetric, waitingMetric, kvCacheMetric, interval, timeout, staleAfter, targetWaiting, "
            + "maxResponseBytes, combine) (line 8)",
        "backends.primary.concurrency.engineSignal.waitingMetric: \"vllm waiting\" (expected: a Prometheus "
            + "metric name like vllm:num_requests_waiting) (line 9)");
  }

  @Test
  void anIntervalOutOfRangeIsReportedAtItsLine() {
    assertThat(errors(backend("{engineSignal: {interval: 10ms}}"))).containsExactly(
        "backends.primary.concurrency.engineSignal.interval: 10ms (expected: 100ms..60s) (line 4)");
    assertThat(errors(backend("{engineSignal: {interval: 1s, staleAfter: 500ms}}"))).containsExactly(
        "backends.primary.concurrency.engineSignal.staleAfter: 500ms (expected: >= interval 1s) (line 4)");
  }
}
