package dev.spillway.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.spillway.core.config.ConfigException;
import dev.spillway.core.config.GatewayConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code server.warmUpRequests} binds with its default, and wrong values are reported with key and line. */
class WarmUpConfigTest {
  private static final String ROUTES = """
      backends:
        b:
          endpoints: [http://10.0.0.1:8000]
      routes:
        - { name: all, backend: b }
      """;

  @TempDir
  Path dir;

  private LoadedConfig load(String server) throws IOException {
    Path file = dir.resolve("spillway.yaml");
    Files.writeString(file, server + ROUTES);
    return ConfigLoader.loadFile(file, name -> null);
  }

  @Test
  void absentTakesTheDefault() throws IOException {
    assertThat(load("").warmUpRequests()).isEqualTo(LoadedConfig.DEFAULT_WARM_UP_REQUESTS).isEqualTo(2000);
    assertThat(load("server: { port: 9000 }\n").warmUpRequests()).isEqualTo(2000);
    assertThat(LoadedConfig.of(GatewayConfig.defaults()).warmUpRequests()).isEqualTo(2000);
  }

  @Test
  void bindsACountAndZero() throws IOException {
    assertThat(load("server:\n  warmUpRequests: 500\n").warmUpRequests()).isEqualTo(500);
    assertThat(load("server:\n  warmUpRequests: 0\n").warmUpRequests()).isZero();
  }

  @Test
  void survivesTheOtherWithers() throws IOException {
    LoadedConfig loaded = load("server:\n  warmUpRequests: 7\n");
    assertThat(loaded.withAdmin(loaded.admin()).withSource("x").withOverload(loaded.overload())
        .warmUpRequests()).isEqualTo(7);
  }

  @Test
  void errorsNameTheKeyAndLine() {
    ConfigLoadException negative = catchThrowableOfType(ConfigLoadException.class,
        () -> load("server:\n  port: 9000\n  warmUpRequests: -1\n"));
    assertThat(negative.getMessage()).contains("server.warmUpRequests: -1 (expected: >= 0)").contains("(line 3)");
    ConfigLoadException text = catchThrowableOfType(ConfigLoadException.class,
        () -> load("server:\n  warmUpRequests: many\n"));
    assertThat(text.getMessage()).contains("server.warmUpRequests").contains("(line 2)");
  }

  @Test
  void theRecordRejectsANegativeCount() {
    LoadedConfig config = LoadedConfig.of(GatewayConfig.defaults());
    assertThatThrownBy(() -> config.withWarmUpRequests(-1)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("warmUpRequests: -1 (expected: >= 0)");
  }
}
