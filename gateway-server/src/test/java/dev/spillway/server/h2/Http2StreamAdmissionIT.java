package dev.spillway.server.h2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.Gateway;
import dev.spillway.server.config.ConfigLoader;
import dev.spillway.server.mock.MockBackend;
import dev.spillway.server.mock.MockBackendOptions;
import dev.spillway.server.tls.Certificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 100 concurrent streams on one HTTP/2 connection (curl over TLS, h2 through ALPN), each admitted and limited like
 * a separate request: behind a backend concurrency limit of 10 with a waiting room of 5, the streams the limit and
 * the room take (10 to 15) are served, the backend sees exactly those, and the rest are shed with the usual 503
 * JSON body, per stream. (curl 7.88 cannot multiplex over a prior-knowledge connection, curl/curl#10634, hence
 * TLS.)
 */
class Http2StreamAdmissionIT {
  private static final int STREAMS = 100;
  private static final String BODY =
      "{\"model\":\"m\",\"max_tokens\":20,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  @TempDir
  Path dir;
  private MockBackend mock;
  private Gateway gateway;

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
    if (mock != null) {
      mock.close();
    }
  }

  @Test
  void everyStreamIsAdmittedOrShedLikeASeparateRequest() throws Exception {
    Curl.assumeHttp2();
    // 20 tokens at 10 a second: each admitted request holds its slot for about two seconds.
    mock = MockBackend.start(MockBackendOptions.defaults().withPort(0).withLatency(Duration.ofMillis(10))
        .withTokensPerSecond(10).withCapacity(64).withMaxQueue(64));
    Certificates.Issued ca = Certificates.authority("Test CA");
    Certificates.PemPair cert = Certificates.signed(ca, "localhost", "127.0.0.1").written(dir, "server");
    Path caFile = dir.resolve("ca.pem");
    Certificates.writeCertificates(caFile, ca.certificate());
    String yaml = """
        server:
          host: 127.0.0.1
          port: 0
          tls: {certificate: "%s", key: "%s"}
        backends:
          b:
            endpoints: ["http://127.0.0.1:%d"]
            concurrency: {limit: 10}
            waitingRoom: {maxQueue: 5, maxWait: 30s, shares: {standard: 1}, codelTarget: 10s, codelInterval: 20s}
        routes:
          - { name: all, match: { pathPrefix: / }, backend: b }
        """.formatted(cert.certificate(), cert.key(), mock.port());
    gateway = Gateway.start(ConfigLoader.parse(yaml, "h2.yaml", Map.<String, String>of()::get));

    StringBuilder config = new StringBuilder();
    for (int i = 0; i < STREAMS; i++) {
      config.append("url = \"https://127.0.0.1:").append(gateway.port()).append("/v1/chat/completions\"\n")
          .append("output = \"").append(dir.resolve("r" + i + ".json")).append("\"\n");
    }
    Path curlConfig = dir.resolve("streams.curl");
    Files.writeString(curlConfig, config);

    List<String[]> h2 = burst(curlConfig, caFile, "--http2");
    assertThat(h2).hasSize(STREAMS);
    assertThat(h2).allSatisfy(r -> assertThat(r[2]).as("HTTP version").isEqualTo("2"));
    assertThat(h2.stream().mapToInt(r -> Integer.parseInt(r[1])).sum()).as("connections opened").isEqualTo(1);
    Map<String, Long> h2Statuses = statuses(h2);
    System.out.println("h2 burst of " + STREAMS + " streams on one connection: " + h2Statuses);
    // At least the concurrency limit is served; the waiting room adds at most its size.
    assertThat(h2Statuses.get("200")).isBetween(10L, 15L);
    assertThat(h2Statuses.get("200") + h2Statuses.get("503")).isEqualTo(STREAMS);
    assertThat(mock.requestsServed()).as("requests the backend saw").isEqualTo(h2Statuses.get("200"));
    List<String> shed = Files.list(dir).filter(p -> p.toString().endsWith(".json")).map(Http2StreamAdmissionIT::read)
        .filter(b -> !b.contains("\"chat.completion\"")).toList();
    assertThat(shed).hasSize(h2Statuses.get("503").intValue())
        .allSatisfy(b -> assertThat(b).contains("\"error\"").contains("\"type\":"));

  }

  /** 100 parallel requests from one curl; per request: status, connections opened, HTTP version. */
  private static List<String[]> burst(Path curlConfig, Path caFile, String version) throws Exception {
    List<Curl.Line> lines = Curl.run(60, "-sS", version, "--cacert", caFile.toString(), "--parallel",
        "--parallel-max", String.valueOf(STREAMS), "-H", "content-type: application/json", "-d", BODY, "-w",
        "%{http_code} %{num_connects} %{http_version}\\n", "-K", curlConfig.toString());
    return lines.stream().map(l -> l.text().split(" ")).toList();
  }

  private static Map<String, Long> statuses(List<String[]> results) {
    return results.stream().collect(Collectors.groupingBy(r -> r[0], Collectors.counting()));
  }

  private static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
