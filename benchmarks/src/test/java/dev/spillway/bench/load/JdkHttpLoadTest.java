package dev.spillway.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link JdkHttpLoad} against a loopback server: what it counts as answered, and what as an error. */
class JdkHttpLoadTest {
  private HttpServer server;
  private final AtomicInteger status = new AtomicInteger(200);
  private final AtomicInteger served = new AtomicInteger();

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    server.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      served.incrementAndGet();
      byte[] body = "{}".getBytes();
      exchange.sendResponseHeaders(status.get(), body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }

  private JdkHttpLoad load(HttpClient.Version version) {
    return new JdkHttpLoad(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), version, null,
        Duration.ofSeconds(5));
  }

  @Test
  void fixedRateSendsEveryScheduledRequestOnce() throws Exception {
    try (JdkHttpLoad load = load(HttpClient.Version.HTTP_1_1)) {
      JdkHttpLoad.Result r = load.fixedRate(200, Duration.ofMillis(250), 100);
      assertThat(r.ok().getTotalCount()).isEqualTo(50);
      assertThat(r.errors()).isZero();
      assertThat(r.firstError()).isNull();
      assertThat(served.get()).isEqualTo(50);
    }
  }

  @Test
  void aNon2xxAnswerIsAnError() throws Exception {
    status.set(503);
    try (JdkHttpLoad load = load(HttpClient.Version.HTTP_1_1)) {
      JdkHttpLoad.Result r = load.fixedRate(100, Duration.ofMillis(100), 100);
      assertThat(r.ok().getTotalCount()).isZero();
      assertThat(r.errors()).isEqualTo(10);
      assertThat(r.firstError()).isEqualTo("HTTP 503 in HTTP_1_1");
    }
  }

  @Test
  void anAnswerInAnotherVersionThanAskedIsAnError() throws Exception {
    // This server speaks only HTTP/1.1: an h2 run against it must not pass for an h2 measurement.
    try (JdkHttpLoad load = load(HttpClient.Version.HTTP_2)) {
      JdkHttpLoad.Result r = load.maxThroughput(2, Duration.ofMillis(100));
      assertThat(r.ok().getTotalCount()).isZero();
      assertThat(r.errors()).isPositive();
      assertThat(r.firstError()).isEqualTo("HTTP 200 in HTTP_1_1");
    }
  }

  @Test
  void resultsOfTwoRunsAddUp() throws Exception {
    try (JdkHttpLoad load = load(HttpClient.Version.HTTP_1_1)) {
      JdkHttpLoad.Result a = load.fixedRate(100, Duration.ofMillis(100), 100);
      JdkHttpLoad.Result b = load.fixedRate(100, Duration.ofMillis(200), 100);
      JdkHttpLoad.Result both = a.plus(b);
      assertThat(both.ok().getTotalCount()).isEqualTo(30);
      assertThat(both.seconds()).isEqualTo(0.3, org.assertj.core.data.Offset.offset(1e-9));
    }
  }
}
