package dev.spillway.server.h2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.Gateway;
import dev.spillway.server.config.ConfigLoader;
import dev.spillway.server.mock.MockBackend;
import dev.spillway.server.mock.MockBackendOptions;
import dev.spillway.server.tls.Certificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 from curl over real sockets: prior knowledge in clear text and ALPN over TLS, a streamed answer whose
 * events arrive one by one.
 */
class Http2CurlIT {
  private static final String STREAM_BODY =
      "{\"model\":\"m\",\"stream\":true,\"max_tokens\":12,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  /** The mock generates 25 tokens a second: 12 tokens take about 480 ms. */
  private static final long GENERATION_NANOS = TimeUnit.MILLISECONDS.toNanos(480);

  @TempDir
  Path dir;
  private MockBackend mock;
  private Gateway gateway;

  @BeforeEach
  void startMock() throws Exception {
    Curl.assumeHttp2();
    mock = MockBackend.start(MockBackendOptions.defaults().withPort(0).withLatency(Duration.ofMillis(50))
        .withTokensPerSecond(25));
  }

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
    if (mock != null) {
      mock.close();
    }
  }

  private void start(String serverExtra) throws Exception {
    String yaml = """
        server:
          host: 127.0.0.1
          port: 0
        %s
        backends:
          b: { endpoints: ["http://127.0.0.1:%d"] }
        routes:
          - { name: all, match: { pathPrefix: / }, backend: b }
        """.formatted(serverExtra.indent(2).stripTrailing(), mock.port());
    gateway = Gateway.start(ConfigLoader.parse(yaml, "h2.yaml", Map.<String, String>of()::get));
  }

  @Test
  void priorKnowledgeStreamsEventsOneByOne() throws Exception {
    start("");
    List<Curl.Line> lines = Curl.run(20, "-sS", "-N", "--http2-prior-knowledge", "-H",
        "content-type: application/json", "-d", STREAM_BODY, "-w", "\\nversion=%{http_version}\\n",
        "http://127.0.0.1:" + gateway.port() + "/v1/chat/completions");

    assertStreamedOneByOne(lines);
  }

  @Test
  void alpnOverTlsStreamsEventsOneByOne() throws Exception {
    Certificates.Issued ca = Certificates.authority("Test CA");
    Certificates.PemPair server = Certificates.signed(ca, "localhost", "127.0.0.1").written(dir, "server");
    Path caFile = dir.resolve("ca.pem");
    Certificates.writeCertificates(caFile, ca.certificate());
    start("""
        tls:
          certificate: %s
          key: %s
        """.formatted(server.certificate(), server.key()));
    List<Curl.Line> lines = Curl.run(20, "-sS", "-N", "--http2", "--cacert", caFile.toString(), "-H",
        "content-type: application/json", "-d", STREAM_BODY, "-w", "\\nversion=%{http_version}\\n",
        "https://127.0.0.1:" + gateway.port() + "/v1/chat/completions");

    assertStreamedOneByOne(lines);
  }

  @Test
  void withHttp2OffAlpnAndPriorKnowledgeStayHttp11() throws Exception {
    start("http2: {enabled: false}");
    List<Curl.Line> lines = Curl.run(20, "-sS", "--http2", "-o", "/dev/null", "-w", "version=%{http_version}\\n",
        "http://127.0.0.1:" + gateway.port() + "/v1/models");
    assertThat(lines).extracting(Curl.Line::text).contains("version=1.1");
  }

  /** Every event is on the wire as the backend generates it: arrivals spread over the generation time. */
  private static void assertStreamedOneByOne(List<Curl.Line> lines) {
    assertThat(lines).extracting(Curl.Line::text).contains("version=2");
    List<Curl.Line> events = lines.stream().filter(l -> l.text().startsWith("data: {")).toList();
    assertThat(events).as("content events").hasSizeGreaterThanOrEqualTo(10);
    assertThat(lines).extracting(Curl.Line::text).contains("data: [DONE]");
    long spread = events.get(events.size() - 1).atNanos() - events.get(0).atNanos();
    System.out.printf("h2 stream: %d events, first at %d ms, last at %d ms%n", events.size(),
        events.get(0).atNanos() / 1_000_000, events.get(events.size() - 1).atNanos() / 1_000_000);
    assertThat(spread).as("first to last event, ns (buffered answers arrive at once)")
        .isGreaterThan(GENERATION_NANOS / 2);
  }
}
