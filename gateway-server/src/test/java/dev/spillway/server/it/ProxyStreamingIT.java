package dev.spillway.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.Gateway;
import dev.spillway.server.mock.MockBackend;
import dev.spillway.server.mock.MockBackendOptions;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real sockets on loopback: gateway and mock AI backend in-process, requests from the JDK's HTTP client. */
class ProxyStreamingIT {
  private static MockBackend mock;
  private static Gateway gateway;
  private static final HttpClient http = ProxyFixture.client();

  @BeforeAll
  static void start() throws InterruptedException {
    mock = MockBackend.start(MockBackendOptions.defaults().withLatency(Duration.ofMillis(100))
        .withTokensPerSecond(25).withCapacity(16).withMaxQueue(16));
    gateway = ProxyFixture.start(mock.port());
  }

  @AfterAll
  static void stop() {
    gateway.close();
    mock.close();
  }

  @Test
  void proxiesChatCompletionWithUsage() throws Exception {
    HttpResponse<String> response = http.send(ProxyFixture.request(gateway, "/v1/chat/completions")
        .header("Content-Type", "application/json")
        .header("X-Request-Id", "it-plain-1")
        .POST(HttpRequest.BodyPublishers.ofString(ProxyFixture.chatBody(false, 5))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-request-id")).contains("it-plain-1");
    assertThat(response.headers().firstValue("via")).hasValueSatisfying(v -> assertThat(v).contains("spillway"));
    assertThat(response.body()).contains("\"object\":\"chat.completion\"").contains("\"completion_tokens\":5");
  }

  @Test
  void reusesOneBackendConnectionForManyRequests() throws Exception {
    MockBackend own = MockBackend.start(MockBackendOptions.defaults().withLatency(Duration.ofMillis(1)));
    try (Gateway gw = ProxyFixture.start(own.port())) {
      for (int i = 0; i < 25; i++) {
        HttpResponse<String> r = http.send(ProxyFixture.request(gw, "/v1/models").GET().build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
      }
      assertThat(own.requestsServed()).isEqualTo(25);
      assertThat(own.connectionsAccepted()).as("keep-alive to the backend").isEqualTo(1);
    } finally {
      own.close();
    }
  }

  @Test
  void streamsSseEventsAsTheyAreGenerated() throws Exception {
    long start = System.nanoTime();
    HttpResponse<Stream<String>> response = http.send(ProxyFixture.request(gateway, "/v1/chat/completions")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(ProxyFixture.chatBody(true, 12))).build(),
        HttpResponse.BodyHandlers.ofLines());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
        v -> assertThat(v).startsWith("text/event-stream"));
    List<Long> arrivals = new ArrayList<>();
    List<String> events = new ArrayList<>();
    response.body().filter(line -> line.startsWith("data: ")).forEach(line -> {
      arrivals.add(System.nanoTime() - start);
      events.add(line);
    });
    assertThat(events).last().isEqualTo("data: [DONE]");
    assertThat(events).hasSizeGreaterThan(12);
    long firstMs = TimeUnit.NANOSECONDS.toMillis(arrivals.get(0));
    long lastMs = TimeUnit.NANOSECONDS.toMillis(arrivals.get(arrivals.size() - 1));
    // 12 tokens at 25/s take ~440 ms after the first; a buffering proxy would deliver them all at once.
    assertThat(lastMs - firstMs).as("first event at %d ms, last at %d ms", firstMs, lastMs).isGreaterThan(250);
  }

  @Test
  void streamsChunkedUploadIntact() throws Exception {
    byte[] body = randomBytes(3 << 20, 1);
    HttpResponse<String> response = http.send(ProxyFixture.request(gateway, "/debug/sha256")
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("\"bytes\":" + body.length).contains(sha256(body));
  }

  @Test
  void echoesLargeBodyBothWaysWithBoundedMemory() throws Exception {
    // A raw socket, because the JDK client only reads the response after sending the whole body, and a
    // streaming echo through a proxy that does not buffer (this one, by design) needs both at once.
    byte[] body = randomBytes(48 << 20, 2);
    try (ProxyFixture.PeakMemory memory = new ProxyFixture.PeakMemory();
        Socket socket = new Socket("127.0.0.1", gateway.port())) {
      Thread writer = new Thread(() -> {
        try {
          OutputStream out = socket.getOutputStream();
          out.write(("POST /debug/echo HTTP/1.1\r\nHost: t\r\nContent-Length: " + body.length + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
          for (int off = 0; off < body.length; off += 1 << 20) {
            out.write(body, off, Math.min(1 << 20, body.length - off));
          }
          out.flush();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }, "echo-writer");
      writer.start();
      ChunkedReader response = new ChunkedReader(socket.getInputStream());
      assertThat(response.statusLine()).startsWith("HTTP/1.1 200");
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      long received = response.readBody(digest);
      writer.join(30_000);
      assertThat(received).isEqualTo(body.length);
      assertThat(HexFormat.of().formatHex(digest.digest())).isEqualTo(sha256(body));
      assertThat(memory.peak()).as("direct memory while echoing 48 MiB").isLessThan(24L << 20);
    }
  }

  @Test
  void uploadsLargeBodyIntact() throws Exception {
    byte[] body = randomBytes(32 << 20, 3);
    HttpResponse<String> response = http.send(ProxyFixture.request(gateway, "/debug/sha256")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("\"bytes\":" + body.length).contains(sha256(body));
  }

  @Test
  void slowReadingClientDoesNotMakeTheGatewayBuffer() throws Exception {
    long size = 64L << 20;
    try (ProxyFixture.PeakMemory memory = new ProxyFixture.PeakMemory();
        Socket socket = new Socket("127.0.0.1", gateway.port())) {
      socket.setReceiveBufferSize(64 * 1024);
      OutputStream out = socket.getOutputStream();
      out.write(("GET /debug/bytes?n=" + size + " HTTP/1.1\r\nHost: t\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] buf = new byte[16 * 1024];
      long total = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      int n;
      // Read the first 8 MiB slowly (16 KiB per ms at most), then drain.
      while (total < (8L << 20) && (n = in.read(buf)) > 0) {
        total += n;
        LockSupport.parkNanos(1_000_000);
        assertThat(System.nanoTime()).isLessThan(deadline);
      }
      long peakWhileSlow = memory.peak();
      while ((n = in.read(buf)) > 0 && total < size + 4096) {
        total += n;
        if (total >= size) {
          break;
        }
      }
      assertThat(total).isGreaterThanOrEqualTo(size);
      assertThat(peakWhileSlow).as("direct memory while the client lagged").isLessThan(24L << 20);
    }
  }

  @Test
  void clientHangingUpCancelsTheBackendStream() throws Exception {
    int before = mock.inFlight();
    try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
      String body = ProxyFixture.chatBody(true, 500);
      socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      byte[] buf = new byte[4096];
      String seen = "";
      while (!seen.contains("data: ")) {
        int n = in.read(buf);
        assertThat(n).isPositive();
        seen += new String(buf, 0, n, StandardCharsets.US_ASCII);
      }
      assertThat(mock.inFlight()).isGreaterThan(before);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (mock.inFlight() > before && System.nanoTime() < deadline) {
      LockSupport.parkNanos(10_000_000);
    }
    assertThat(mock.inFlight()).as("the 20 s stream was cancelled at the backend").isEqualTo(before);
  }

  static byte[] randomBytes(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }
}
