package dev.spillway.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The server-side sections: admin, status, alerts, accessLog. */
class MonitoringConfigTest {
  private static final String BASE = """
      backends:
        b: { endpoints: ["http://127.0.0.1:8000"] }
      routes:
        - { name: all, match: { pathPrefix: / }, backend: b }
      """;

  @Test
  void absentSectionsTakeTheirDefaults() {
    LoadedConfig config = ConfigLoader.parseFile(BASE, "spillway.yaml", name -> null);

    assertThat(config.admin()).isEqualTo(AdminConfig.DEFAULTS);
    assertThat(config.admin().host()).isEqualTo("127.0.0.1");
    assertThat(config.admin().port()).isEqualTo(9901);
    assertThat(config.status()).isEqualTo(StatusConfig.DEFAULTS);
    assertThat(config.alerts()).isEqualTo(AlertsConfig.DEFAULTS);
    assertThat(config.accessLog()).isEqualTo(AccessLogConfig.DEFAULTS);
  }

  @Test
  void bindsEverySection() {
    LoadedConfig config = ConfigLoader.parseFile(BASE + """
        admin: { host: 0.0.0.0, port: 9999, token: "${ADMIN_TOKEN}" }
        status: { window: 1m, minRequests: 10, degradedErrorRate: 0.1, outageErrorRate: 0.9,
                  atCapacityShedRate: 0.05, resolveAfter: 1m, groupWindow: 5m, maxIncidents: 20 }
        alerts: { webhooks: ["https://hooks.example.com/T0/B0/x"], retries: 5, backoff: 2s, timeout: 3s }
        accessLog: { sampleRate: 0.25, maxShedPerSecond: 3 }
        """, "spillway.yaml", Map.of("ADMIN_TOKEN", "t0ken")::get);

    assertThat(config.admin()).isEqualTo(new AdminConfig(true, "0.0.0.0", 9999, "t0ken"));
    assertThat(config.admin().toString()).doesNotContain("t0ken");
    assertThat(config.status()).isEqualTo(new StatusConfig(Duration.ofMinutes(1), 10, 0.1, 0.9, 0.05,
        Duration.ofMinutes(1), Duration.ofMinutes(5), 20));
    assertThat(config.alerts()).isEqualTo(new AlertsConfig(List.of(URI.create("https://hooks.example.com/T0/B0/x")),
        5, Duration.ofSeconds(2), Duration.ofSeconds(3)));
    assertThat(config.alerts().toString()).doesNotContain("/T0/B0/x");
    assertThat(config.accessLog()).isEqualTo(new AccessLogConfig(true, 0.25, 3));
    assertThat(ConfigLoader.parse(BASE + "admin: { enabled: false }\n", "spillway.yaml", name -> null).routes())
        .hasSize(1);
  }

  @Test
  void reportsErrorsWithPathsAndLines() {
    ConfigLoadException e = catchThrowableOfType(ConfigLoadException.class, () -> ConfigLoader.parseFile(BASE + """
        admin: { prot: 9999, port: 70000 }
        status: { outageErrorRate: 0.01 }
        alerts: { webhooks: ["ftp://x/secret-path"] }
        accessLog: { sampleRate: 2 }
        """, "spillway.yaml", name -> null));

    assertThat(e.getMessage())
        .contains("admin.prot")
        .contains("admin.port: 70000")
        .contains("status.outageErrorRate: 0.01 (expected: >= degradedErrorRate")
        .contains("alerts.webhooks[0]")
        .contains("accessLog.sampleRate: 2.0 (expected: 0..1)")
        .contains("(line 5)")
        .doesNotContain("secret-path");
  }
}
