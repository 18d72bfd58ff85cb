package dev.spillway.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.OverloadConfig;
import dev.spillway.core.config.OverloadConfig.Thresholds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code server.overload} binds to {@link OverloadConfig}, with defaults and precise errors. */
class OverloadConfigTest {
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
  void absentOverloadTakesTheDefaults() throws IOException {
    assertThat(load("").overload()).isEqualTo(OverloadConfig.DEFAULTS);
    assertThat(load("server: { port: 9000 }\n").overload()).isEqualTo(OverloadConfig.DEFAULTS);
  }

  @Test
  void everyKeyBinds() throws IOException {
    LoadedConfig loaded = load("""
        server:
          overload:
            maxConnections: 20000
            heap: { keepAliveOff: 0.7, shortenTimeouts: 0.8, stopAccepting: 0.9 }
            directMemory: { stopAccepting: 0.99 }
            sampleInterval: 100ms
            shortClientTimeout: 1s
        """);
    assertThat(loaded.overload()).isEqualTo(new OverloadConfig(20000, new Thresholds(0.7, 0.8, 0.9),
        new Thresholds(0.8, 0.85, 0.99), Duration.ofMillis(100), Duration.ofSeconds(1)));
  }

  @Test
  void errorsNameTheKeyAndLine() {
    ConfigLoadException e = org.assertj.core.api.Assertions.catchThrowableOfType(ConfigLoadException.class,
        () -> load("""
            server:
              overload:
                maxConnections: -5
                heap: { stopAccepting: 1.5, keepAlive: 0.8 }
            """));
    assertThat(e.getMessage()).contains("server.overload.maxConnections: -5").contains("(line 3)")
        .contains("server.overload.heap.stopAccepting: 1.5").contains("server.overload.heap.keepAlive: unknown key");
  }
}
