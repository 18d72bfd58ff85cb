package dev.spillway.server.mock;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MockBackendDebugTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] BODY = new byte[20 * 1024 * 1024 + 17];
  private static MockBackend backend;
  private static HttpClient client;

  @BeforeAll
  static void start() throws InterruptedException {
    new Random(42).nextBytes(BODY);
    backend = MockBackend.start(MockBackendOptions.defaults());
    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterAll
  static void stop() {
    backend.close();
  }

  private static HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(backend.url() + path)).timeout(Duration.ofSeconds(10));
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  @Test
  void sha256HashesALargeBody() throws Exception {
    HttpResponse<String> response = client.send(request("/debug/sha256").POST(BodyPublishers.ofByteArray(BODY))
        .build(), BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.path("bytes").asLong()).isEqualTo(BODY.length);
    assertThat(body.path("sha256").asText()).isEqualTo(sha256(BODY));
  }

  @Test
  void echoStreamsALargeBodyBack() throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    AtomicLong received = new AtomicLong();
    try (RawHttp http = new RawHttp(backend.port())) {
      http.send(("POST /debug/echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + BODY.length + "\r\n\r\n")
          .getBytes(US_ASCII));
      // The echo starts before the upload ends, so upload and download must run side by side.
      CompletableFuture<Void> upload = CompletableFuture.runAsync(() -> {
        try {
          for (int off = 0; off < BODY.length; off += 65536) {
            http.send(Arrays.copyOfRange(BODY, off, Math.min(BODY.length, off + 65536)));
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      RawHttp.Head head = http.readHead();
      assertThat(head.status()).isEqualTo(200);
      assertThat(head.header("content-type")).isEqualTo("application/octet-stream");
      assertThat(head.header("transfer-encoding")).isEqualTo("chunked");
      http.readBody(head, chunk -> {
        digest.update(chunk);
        received.addAndGet(chunk.length);
      });
      upload.get(10, TimeUnit.SECONDS);
    }
    assertThat(received).hasValue(BODY.length);
    assertThat(HexFormat.of().formatHex(digest.digest())).isEqualTo(sha256(BODY));
  }

  @Test
  void bytesAnswersTheDeterministicPattern() throws Exception {
    int n = 1_000_003;
    HttpResponse<byte[]> response = client.send(request("/debug/bytes?n=" + n).build(),
        BodyHandlers.ofByteArray());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-length")).hasValue(String.valueOf(n));
    byte[] body = response.body();
    assertThat(body).hasSize(n);
    for (int i = 0; i < n; i++) {
      if (body[i] != (byte) (i % 251)) {
        throw new AssertionError("byte " + i + " is " + body[i]);
      }
    }
  }

  @Test
  void bytesWithoutAValidCountIs400() throws Exception {
    assertThat(client.send(request("/debug/bytes?n=x").build(), BodyHandlers.ofString()).statusCode())
        .isEqualTo(400);
    assertThat(client.send(request("/debug/bytes?n=0").build(), BodyHandlers.ofByteArray()).body()).isEmpty();
  }

  @Test
  void headersAreReportedLowerCasedWithEveryValue() throws Exception {
    HttpResponse<String> response = client.send(request("/debug/headers")
        .header("X-Test", "a").header("X-Multi", "1").header("X-Multi", "2").build(), BodyHandlers.ofString());

    JsonNode headers = JSON.readTree(response.body());
    assertThat(headers.path("x-test").path(0).asText()).isEqualTo("a");
    assertThat(headers.path("x-multi")).hasSize(2);
    assertThat(headers.path("x-multi").path(0).asText()).isEqualTo("1");
    assertThat(headers.path("x-multi").path(1).asText()).isEqualTo("2");
    assertThat(headers.path("host").path(0).asText()).startsWith("127.0.0.1:");
  }

  @Test
  void postToAGetEndpointIs405() throws Exception {
    HttpResponse<String> response = client.send(request("/debug/bytes?n=3").POST(BodyPublishers.ofString("x"))
        .build(), BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(response.headers().firstValue("allow")).hasValue("GET");
  }
}
