package dev.spillway.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.Http2Config;
import dev.spillway.core.config.ServerConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class Http2ConfigLoadingTest {
  private static final String TAIL = """
      backends:
        primary:
          endpoints: [http://10.0.0.1:8000]
      routes:
        - name: all
          backend: primary
      """;

  @Test
  void absentHttp2TakesTheDefaults() {
    ServerConfig server = ConfigLoader.parse(TAIL, "h2.yaml", name -> null).server();
    assertThat(server.http2()).isEqualTo(Http2Config.DEFAULTS);
    assertThat(server.http2().enabled()).isTrue();
  }

  @Test
  void bindsEveryKey() {
    String yaml = """
        server:
          http2:
            enabled: false
            maxConcurrentStreams: 32
            maxResetsPerWindow: 50
            resetWindow: 10s
            initialWindowSize: 1MiB
        """ + TAIL;
    Http2Config http2 = ConfigLoader.parse(yaml, "h2.yaml", name -> null).server().http2();
    assertThat(http2).isEqualTo(new Http2Config(false, 32, 50, Duration.ofSeconds(10), 1 << 20));
  }
}
