package dev.spillway.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeersTest {
  @Test
  void fillsEveryPlaceholderOfTheShippedTemplates() throws Exception {
    String nginx = Peers.render(Path.of("peers/nginx.conf.tmpl"), Map.of("DIR", "/tmp/x", "PORT", "8081",
        "SERVERS", "server 127.0.0.1:8000;", "LIMIT_ZONE", "", "LIMIT", ""));
    assertThat(nginx).contains("listen 127.0.0.1:8081", "server 127.0.0.1:8000;").doesNotContain("${");
    String haproxy = Peers.render(Path.of("peers/haproxy.cfg.tmpl"), Map.of("PORT", "8082",
        "SERVERS", "  server s0 127.0.0.1:8000\n", "QUEUE_TIMEOUT", "1000ms"));
    assertThat(haproxy).contains("bind 127.0.0.1:8082", "timeout queue 1000ms").doesNotContain("${");
  }

  @Test
  void aMissingValueIsAnError(@TempDir Path dir) throws Exception {
    Path t = Files.writeString(dir.resolve("t"), "a ${X} b ${Y}");
    assertThat(Peers.render(t, Map.of("X", "1", "Y", "$2"))).isEqualTo("a 1 b $2");
    assertThatThrownBy(() -> Peers.render(t, Map.of("X", "1"))).hasMessageContaining("${Y} has no value");
  }

  @Test
  void spillwayConfigHasTheLimitOnlyWhenAsked() {
    assertThat(SpillwayConfig.yaml(ProxySetup.plain(java.util.List.of(8000)), 8080))
        .contains("port: 8080", "- http://127.0.0.1:8000").doesNotContain("concurrency");
    assertThat(SpillwayConfig.yaml(ProxySetup.limited(8000, 32, 16, java.time.Duration.ofSeconds(1)), 8080))
        .contains("concurrency: 32", "waitingRoom: {maxQueue: 16, maxWait: 1000ms}");
  }
}
