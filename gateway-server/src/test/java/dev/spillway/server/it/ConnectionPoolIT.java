package dev.spillway.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.Gateway;
import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.EndpointAddress;
import dev.spillway.core.config.PoolConfig;
import dev.spillway.core.config.ServerConfig;
import dev.spillway.server.mock.MockBackend;
import dev.spillway.server.mock.MockBackendOptions;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The backend pool's bound and its idle eviction, seen from the backend's side of real sockets. */
class ConnectionPoolIT {

  @Test
  void answers503WhenEveryPooledConnectionIsBusy() throws Exception {
    MockBackend mock = MockBackend.start(MockBackendOptions.defaults().withTokensPerSecond(10));
    try (Gateway gw = start(mock, new PoolConfig(1, Duration.ofSeconds(60)))) {
      HttpClient first = ProxyFixture.client();
      HttpResponse<Stream<String>> stream = first.send(chat(gw, 10), HttpResponse.BodyHandlers.ofLines());
      assertThat(stream.statusCode()).isEqualTo(200);
      HttpResponse<String> overflow = ProxyFixture.client().send(chat(gw, 1), HttpResponse.BodyHandlers.ofString());
      assertThat(overflow.statusCode()).isEqualTo(503);
      assertThat(overflow.body()).contains("\"code\":\"upstream_overflow\"");
      assertThat(stream.body().filter(l -> l.startsWith("data: ")).toList()).last().isEqualTo("data: [DONE]");
      HttpResponse<String> after = ProxyFixture.client().send(chat(gw, 1), HttpResponse.BodyHandlers.ofString());
      assertThat(after.statusCode()).as("the connection is free again").isEqualTo(200);
    } finally {
      mock.close();
    }
  }

  @Test
  void closesPooledConnectionsIdleLongerThanTheirTimeout() throws Exception {
    MockBackend mock = MockBackend.start(MockBackendOptions.defaults().withLatency(Duration.ofMillis(1)));
    try (Gateway gw = start(mock, new PoolConfig(8, Duration.ofMillis(200)))) {
      HttpClient http = ProxyFixture.client();
      assertThat(http.send(chat(gw, 1), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
      assertThat(http.send(chat(gw, 1), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
      assertThat(mock.connectionsAccepted()).isEqualTo(1);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(600));
      assertThat(http.send(chat(gw, 1), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
      assertThat(mock.connectionsAccepted()).as("the idle connection was evicted; a new one was opened")
          .isEqualTo(2);
    } finally {
      mock.close();
    }
  }

  private static Gateway start(MockBackend mock, PoolConfig pool) throws InterruptedException {
    ServerConfig server = ProxyFixture.server();
    // One event loop, so both requests share one pool.
    server = new ServerConfig(server.host(), 0, server.clientTimeout(), server.maxInitialLineLength(),
        server.maxHeaderSize(), server.maxBodySize(), server.shutdownTimeout(), 1, server.nativeTransport());
    BackendConfig backend = new BackendConfig("b", List.of(new EndpointAddress("127.0.0.1", mock.port())),
        Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofMinutes(1), pool);
    return ProxyFixture.start(server, backend);
  }

  private static HttpRequest chat(Gateway gw, int tokens) {
    return ProxyFixture.request(gw, "/v1/chat/completions").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(ProxyFixture.chatBody(tokens > 1, tokens))).build();
  }
}
