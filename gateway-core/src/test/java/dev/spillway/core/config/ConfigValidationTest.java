package dev.spillway.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigValidationTest {

  @Test
  void parsesDurationsInOperatorAndIsoForms() {
    assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Durations.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(Durations.parse("PT2S")).isEqualTo(Duration.ofSeconds(2));
    assertThat(Durations.parse("0")).isZero();
    assertThatThrownBy(() -> Durations.parse("30")).hasMessageContaining("\"30\" is not a duration");
    assertThatThrownBy(() -> Durations.parse("5 parsecs")).isInstanceOf(IllegalArgumentException.class);
    assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
    assertThat(Durations.format(Duration.ofMillis(250))).isEqualTo("250ms");
  }

  @Test
  void parsesSizes() {
    assertThat(DataSizes.parse("16KiB")).isEqualTo(16 * 1024);
    assertThat(DataSizes.parse("10MiB")).isEqualTo(10L << 20);
    assertThat(DataSizes.parse("512")).isEqualTo(512);
    assertThat(DataSizes.parse("1GB")).isEqualTo(1_000_000_000L);
    assertThatThrownBy(() -> DataSizes.parse("lots")).hasMessageContaining("is not a size");
    assertThat(DataSizes.format(16 * 1024)).isEqualTo("16KiB");
  }

  @Test
  void recordsRejectInvalidValuesWithKeyAndExpectation() {
    assertThatThrownBy(() -> new PoolConfig(-1, Duration.ofSeconds(1)))
        .isInstanceOf(ConfigException.class).hasMessage("maxConnections: -1 (expected: > 0)");
    assertThatThrownBy(() -> ServerConfig.DEFAULTS.withPort(70000))
        .hasMessage("port: 70000 (expected: 0..65535)");
    assertThatThrownBy(() -> new RouteMatch(null, "v1"))
        .hasMessage("pathPrefix: \"v1\" (expected: a path starting with /)");
  }

  @Test
  void rejectsRouteToUndefinedBackendNamingThePath() {
    BackendConfig primary = BackendConfig.of("primary", List.of(new EndpointAddress("127.0.0.1", 8000)));
    ConfigException e = (ConfigException) org.assertj.core.api.Assertions.catchThrowable(() ->
        new GatewayConfig(ServerConfig.DEFAULTS, Map.of("primary", primary),
            List.of(new RouteConfig("chat", new RouteMatch(null, "/"), "primry"))));
    assertThat(e.path()).isEqualTo("routes[0].backend");
    assertThat(e).hasMessage("routes[0].backend: \"primry\" is not a defined backend (defined: primary)");
    assertThat(e.under("spillway").path()).isEqualTo("spillway.routes[0].backend");
  }

  @Test
  void parsesEndpointUrls() {
    assertThat(EndpointAddress.parse("http://10.0.0.1:8000")).isEqualTo(new EndpointAddress("10.0.0.1", 8000));
    assertThat(EndpointAddress.parse("http://gpu-1")).isEqualTo(new EndpointAddress("gpu-1", 80));
    assertThat(EndpointAddress.parse("http://[::1]:9000").authority()).isEqualTo("[::1]:9000");
    assertThat(EndpointAddress.parse("https://api.openai.com"))
        .isEqualTo(new EndpointAddress("api.openai.com", 443, EndpointAddress.Scheme.HTTPS));
    assertThat(EndpointAddress.parse("https://h:8443")).hasToString("https://h:8443");
    assertThat(EndpointAddress.parse("https://h").authority()).isEqualTo("h");
    assertThat(EndpointAddress.parse("https://h").secure()).isTrue();
    assertThat(EndpointAddress.parse("http://h:443").authority()).isEqualTo("h:443");
    assertThatThrownBy(() -> EndpointAddress.parse("ftp://x")).hasMessageContaining("unsupported scheme");
    assertThatThrownBy(() -> EndpointAddress.parse("http://x/v1")).hasMessageContaining("has a path");
  }

  @Test
  void defaultConfigIsValid() {
    GatewayConfig d = GatewayConfig.defaults();
    assertThat(d.server().port()).isEqualTo(8080);
    assertThat(d.routes()).singleElement().extracting(RouteConfig::backend).isEqualTo("default");
  }
}
