package dev.spillway.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.spillway.server.config.ConfigLoader;
import dev.spillway.server.config.LoadedConfig;
import dev.spillway.server.warmup.WarmUp;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The start-up warm-up in the real server: it runs before the listener opens and leaves no trace operators can
 * see (no shed or request counted on {@code /metrics}, no access log line, no connection to the backend), and
 * real traffic is forwarded normally after it.
 */
class WarmUpIT {
  @TempDir
  Path dir;

  private ServerSocket backend;
  private final AtomicInteger backendConnections = new AtomicInteger();
  private Thread acceptor;
  private final ListAppender<ILoggingEvent> warmUpLog = new ListAppender<>();

  @BeforeEach
  void captureLog() {
    warmUpLog.start();
    ((Logger) LoggerFactory.getLogger(WarmUp.class)).addAppender(warmUpLog);
  }

  @AfterEach
  void releaseLog() {
    ((Logger) LoggerFactory.getLogger(WarmUp.class)).detachAppender(warmUpLog);
  }

  /** A backend that counts its connections and answers each request with a 200. */
  @BeforeEach
  void startBackend() throws IOException {
    backend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor = new Thread(() -> {
      while (!backend.isClosed()) {
        try (Socket s = backend.accept()) {
          backendConnections.incrementAndGet();
          readHead(s.getInputStream());
          OutputStream out = s.getOutputStream();
          out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
              + "Connection: close\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII));
          out.flush();
        } catch (IOException closed) {
          // The test is over (or the gateway hung up): accept again or stop.
        }
      }
    }, "warm-up-it-backend");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  @AfterEach
  void stopBackend() throws Exception {
    backend.close();
    acceptor.join(5000);
  }

  private static void readHead(InputStream in) throws IOException {
    int matched = 0;
    int b;
    while (matched < 4 && (b = in.read()) >= 0) {
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
  }

  private LoadedConfig load(String extraServerLine) throws IOException {
    Path file = dir.resolve("spillway.yaml");
    Files.writeString(file, """
        server:
          host: 127.0.0.1
          port: 0
          ioThreads: 1
          shutdownTimeout: 2s
          %s
        backends:
          b:
            endpoints: [http://127.0.0.1:%d]
            concurrency: {mode: static, limit: 4}
        routes:
          - name: chat
            match: {pathPrefix: /}
            backend: b
        admin:
          enabled: true
          host: 127.0.0.1
          port: 0
        """.formatted(extraServerLine, backend.getLocalPort()), StandardCharsets.UTF_8);
    return ConfigLoader.loadFile(file);
  }

  @Test
  void warmsUpByDefaultWithoutATraceOnMetricsAccessLogOrBackendAndThenForwards() throws Exception {
    LoadedConfig config = load("");
    assertThat(config.warmUpRequests()).isEqualTo(LoadedConfig.DEFAULT_WARM_UP_REQUESTS);

    MonitoredGateway running = MonitoredGateway.start(config);
    try {
      assertThat(warmUpLog.list).extracting(ILoggingEvent::getFormattedMessage).singleElement().asString()
          .matches("warm-up: \\d+ requests in \\d+ ms");
      running.monitoring.pump();
      MeterRegistry registry = running.monitoring.metrics().registry();
      assertThat(registry.find("spillway_shed_duration").timers()).as("every reason registered up front")
          .isNotEmpty().allSatisfy(t -> assertThat(t.count()).as(t.getId().toString()).isZero());
      assertThat(registry.find("spillway_requests").counters()).isEmpty();
      assertThat(registry.get("spillway_access_log_lines").functionCounter().count()).isZero();
      assertThat(running.gateway.runtime().backends().get("b").admission().inFlight()).isZero();
      assertThat(backendConnections.get()).as("the warm-up never connects to a backend").isZero();

      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + running.gateway.port() + "/v1/models")).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as("real traffic after the warm-up").isEqualTo(200);
      assertThat(response.body()).isEqualTo("{}");
      assertThat(backendConnections.get()).isEqualTo(1);
      // The exchange logs its line when its last write completes, which may come after the client read the body.
      GatewayProcess.await("the access log line", Duration.ofSeconds(10), () -> {
        running.monitoring.pump();
        return registry.get("spillway_access_log_lines").functionCounter().count() >= 1;
      });
      assertThat(registry.get("spillway_access_log_lines").functionCounter().count())
          .as("the access log does count real requests").isEqualTo(1);
      assertThat(registry.find("spillway_requests").counters()).isNotEmpty();
      assertThat(registry.find("spillway_shed_duration").timers()).extracting(Timer::count)
          .containsOnly(0L);
    } finally {
      running.shutdown().join();
    }
  }

  @Test
  void zeroTurnsTheWarmUpOff() throws Exception {
    LoadedConfig config = load("warmUpRequests: 0");
    assertThat(config.warmUpRequests()).isZero();
    MonitoredGateway running = MonitoredGateway.start(config);
    running.shutdown().join();
    assertThat(warmUpLog.list).isEmpty();
  }
}
