package dev.spillway.server.engine;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.Gateway;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.upstream.Backend;
import dev.spillway.server.config.ConfigLoader;
import dev.spillway.server.mock.MockBackend;
import dev.spillway.server.mock.MockBackendOptions;
import dev.spillway.server.mock.engine.EngineOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A gateway reading two simulated engines' metrics: it routes around the queueing one and lowers its limit. */
class EngineSignalGatewayIT {
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @AfterEach
  void close() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private MockBackend engine(int maxRunning) throws InterruptedException {
    MockBackend backend = MockBackend.start(MockBackendOptions.defaults(), EngineOptions.defaults()
        .withMaxRunning(maxRunning).withDecodeStep(Duration.ofMillis(2)).withDecodeStepPerSeq(Duration.ZERO)
        .withPrefillTokensPerSecond(1_000_000));
    closeables.add(backend);
    return backend;
  }

  private Gateway gateway(String concurrency, MockBackend... engines) throws InterruptedException {
    StringBuilder endpoints = new StringBuilder();
    for (MockBackend e : engines) {
      endpoints.append(endpoints.length() == 0 ? "" : ", ").append(e.url());
    }
    String yaml = """
        server: {host: 127.0.0.1, port: 0}
        backends:
          llm:
            endpoints: [%s]
            concurrency: %s
        routes:
          - name: chat
            backend: llm
        """.formatted(endpoints, concurrency);
    GatewayConfig config = ConfigLoader.parse(yaml, "it.yaml", name -> null);
    Gateway gateway = Gateway.start(config);
    closeables.add(gateway::close);
    return gateway;
  }

  /** A direct stream to {@code engine} (not through the gateway) that runs for minutes. */
  private void holdStream(MockBackend engine) throws IOException {
    holdStream(engine.port());
  }

  /** A stream to {@code port} that runs for minutes. */
  private void holdStream(int port) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    closeables.add(socket);
    String body = "{\"messages\":[],\"stream\":true,\"max_tokens\":50000}";
    OutputStream out = socket.getOutputStream();
    out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\n\r\n"
        + body).getBytes(UTF_8));
    out.flush();
  }

  private static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as(what).isNegative();
      Thread.onSpinWait();
    }
  }

  private HttpResponse<String> chat(Gateway gateway) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port()
            + "/v1/chat/completions")).timeout(Duration.ofSeconds(10))
        .POST(BodyPublishers.ofString("{\"messages\":[],\"max_tokens\":3}")).build(), BodyHandlers.ofString());
  }

  @Test
  void requestsGoToTheEngineWithTheShorterQueue() throws Exception {
    MockBackend busy = engine(1);
    MockBackend idle = engine(64);
    // Generous timeout and staleness: on a busy test machine a late scrape would mean round robin.
    Gateway gateway = gateway("{limit: 64, engineSignal: {preset: vllm, interval: 100ms, timeout: 2s, "
        + "staleAfter: 30s}}", busy, idle);
    Backend backend = gateway.router().routes().get(0).backend();
    for (int i = 0; i < 3; i++) {
      holdStream(busy);
    }
    await(() -> {
      long now = backend.engineSignals().ticker().nanoTime();
      var s = backend.engineSignals().fresh(0, now);
      return s != null && s.waiting() == 2 && backend.engineSignals().fresh(1, now) != null;
    }, "the gateway sees the busy engine's queue");

    for (int i = 0; i < 10; i++) {
      assertThat(chat(gateway).statusCode()).isEqualTo(200);
    }

    assertThat(idle.engine().stats().finished()).isEqualTo(10);
    assertThat(busy.engine().stats().finished()).isZero();
  }

  @Test
  void theLimitFallsWhileTheEnginesQueue() throws Exception {
    MockBackend a = engine(1);
    MockBackend b = engine(1);
    Gateway gateway = gateway("{limit: 32, minLimit: 2, engineSignal: {interval: 100ms, targetWaiting: 1}}", a, b);
    Backend backend = gateway.router().routes().get(0).backend();
    assertThat(backend.admission().limit()).isEqualTo(32);
    // Through the gateway: a gateway sending nothing of its own keeps its limit whatever the engines queue.
    for (int i = 0; i < 8; i++) {
      holdStream(gateway.port());
    }

    await(() -> backend.admission().limit() <= 16, "the limit halves within a few intervals");
  }

  @Test
  void withoutMetricsTheGatewayRunsOnItsOwnLimit() throws Exception {
    MockBackend fixed = MockBackend.start(MockBackendOptions.defaults());
    closeables.add(fixed);
    Gateway gateway = gateway("{limit: 8, engineSignal: {interval: 100ms}}", fixed);
    Backend backend = gateway.router().routes().get(0).backend();
    await(() -> backend.engineSignals().all().get(0).failures() >= 3, "failed scrapes");

    assertThat(chat(gateway).statusCode()).isEqualTo(200);
    assertThat(backend.admission().limit()).isEqualTo(8);
  }
}
