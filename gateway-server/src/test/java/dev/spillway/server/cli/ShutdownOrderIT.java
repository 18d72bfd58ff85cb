package dev.spillway.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.server.mock.MockBackend;
import dev.spillway.server.mock.MockBackendOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shutdown order of a real process ({@code java -jar ... run}) stopped by SIGTERM: readiness answers 503
 * while a stream keeps flowing and the listener still accepts (for {@code server.shutdownDelay}); then new
 * connections are refused while the stream still flows; then the stream completes and the process exits 0.
 */
class ShutdownOrderIT {
  private static final Duration BOUND = Duration.ofSeconds(30);
  /** Starting a JVM on a loaded two-core machine has taken over 20 s. */
  private static final Duration START = Duration.ofSeconds(90);

  @TempDir
  Path dir;

  @Test
  void readinessFailsFirstThenTheListenerClosesThenTheStreamCompletes() throws Exception {
    MockBackend backend = MockBackend.start(MockBackendOptions.defaults().withPort(0).withLatency(Duration.ZERO)
        .withTokensPerSecond(10));
    int gatewayPort = freePort();
    int adminPort = freePort();
    Path config = dir.resolve("spillway.yaml");
    Files.writeString(config, """
        server:
          host: 127.0.0.1
          port: %d
          shutdownDelay: 8s
          shutdownTimeout: 30s
          ioThreads: 1
        backends:
          b:
            endpoints: [http://127.0.0.1:%d]
        routes:
          - name: all
            match: {pathPrefix: /}
            backend: b
        admin:
          enabled: true
          host: 127.0.0.1
          port: %d
        """.formatted(gatewayPort, backend.port(), adminPort), StandardCharsets.UTF_8);
    HttpClient probes = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2)).build();
    URI readyz = URI.create("http://127.0.0.1:" + adminPort + "/readyz");
    try (GatewayProcess p = GatewayProcess.start(dir, dir, List.of(), config);
        Socket stream = new Socket()) {
      p.awaitOutput("Spillway listening on", START);
      p.awaitOutput("admin server on", START);
      GatewayProcess.await("readiness 200", BOUND, () -> status(probes, readyz) == 200);

      // A 20 s stream: 200 tokens at 10 per second (the delay is 8 s, so both phases see it flow).
      stream.connect(new InetSocketAddress("127.0.0.1", gatewayPort), 2000);
      stream.setSoTimeout(10_000);
      String body = "{\"model\":\"m\",\"stream\":true,\"max_tokens\":200,\"messages\":[{\"role\":\"user\","
          + "\"content\":\"hi\"}]}";
      OutputStream out = stream.getOutputStream();
      out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
      out.flush();
      StreamReader reader = new StreamReader(stream.getInputStream());
      GatewayProcess.await("the stream's first token", BOUND, () -> reader.text().contains("data: {"));

      p.terminate(); // SIGTERM
      GatewayProcess.await("readiness 503", BOUND, () -> status(probes, readyz) == 503);
      assertThat(accepts(gatewayPort)).as("during the readiness delay the listener still accepts").isTrue();
      int seen = reader.length();
      GatewayProcess.await("the stream to go on while not ready", BOUND, () -> reader.length() > seen);
      assertThat(reader.done()).isFalse();

      GatewayProcess.await("new connections refused", BOUND, () -> !accepts(gatewayPort));
      assertThat(reader.done()).as("the stream still runs once the listener has closed").isFalse();
      int atRefusal = reader.length();
      GatewayProcess.await("the stream to go on after the listener closed", BOUND,
          () -> reader.length() > atRefusal);

      GatewayProcess.await("the stream to complete", BOUND, reader::done);
      assertThat(reader.text()).startsWith("HTTP/1.1 200 ").contains("data: [DONE]").endsWith("0\r\n\r\n");
      assertThat(p.waitFor(BOUND)).as("exits once the stream is done").isTrue();
      assertThat(p.exitValue()).as(p.output()).isZero();
      String log = p.output();
      assertThat(log).doesNotContain("Exception");
      assertThat(log.indexOf("not ready from now on")).as(log).isPositive()
          .isLessThan(log.indexOf("no longer accepting"));
      assertThat(log.indexOf("no longer accepting")).isLessThan(log.lastIndexOf("stopped"));
    } finally {
      backend.close();
    }
  }

  private static int status(HttpClient client, URI uri) {
    try {
      return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** Whether a new TCP connection to {@code port} is accepted (closed again at once). */
  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      return true;
    } catch (ConnectException refused) {
      return false;
    } catch (IOException e) {
      throw new AssertionError("unexpected connect failure", e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Reads a response on its own thread, so the test can watch it grow. */
  private static final class StreamReader {
    private final StringBuilder text = new StringBuilder();
    private volatile boolean ended;

    StreamReader(InputStream in) {
      Thread t = new Thread(() -> {
        byte[] buf = new byte[4096];
        try {
          int n;
          while ((n = in.read(buf)) > 0) {
            synchronized (text) {
              text.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
              if (text.toString().endsWith("0\r\n\r\n")) {
                break;
              }
            }
          }
        } catch (IOException e) {
          // Closed or timed out: done() tells the test whether it completed.
        }
        ended = true;
      }, "stream-reader");
      t.setDaemon(true);
      t.start();
    }

    String text() {
      synchronized (text) {
        return text.toString();
      }
    }

    int length() {
      synchronized (text) {
        return text.length();
      }
    }

    boolean done() {
      return ended && text().endsWith("0\r\n\r\n");
    }
  }
}
