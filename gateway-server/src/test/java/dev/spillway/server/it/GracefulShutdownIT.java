package dev.spillway.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spillway.core.Gateway;
import dev.spillway.server.mock.MockBackend;
import dev.spillway.server.mock.MockBackendOptions;
import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Shutdown stops accepting at once but lets a running stream finish within the grace period. */
class GracefulShutdownIT {

  @Test
  void inFlightStreamFinishesAfterShutdownBeginsAndNewConnectionsAreRefused() throws Exception {
    MockBackend mock = MockBackend.start(MockBackendOptions.defaults().withLatency(Duration.ofMillis(50))
        .withTokensPerSecond(20));
    try {
      Gateway gateway = ProxyFixture.start(mock.port());
      int port = gateway.port();
      HttpResponse<Stream<String>> response = ProxyFixture.client().send(
          ProxyFixture.request(gateway, "/v1/chat/completions").header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(ProxyFixture.chatBody(true, 20))).build(),
          HttpResponse.BodyHandlers.ofLines());
      assertThat(response.statusCode()).isEqualTo(200);

      CompletableFuture<Void> shutdown = gateway.shutdown();
      assertThat(gateway.isDraining()).isTrue();
      assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);

      List<String> events = response.body().filter(l -> l.startsWith("data: ")).toList();
      assertThat(events).last().isEqualTo("data: [DONE]");
      assertThat(events.size()).as("all 20 tokens arrived").isGreaterThan(20);
      shutdown.get(10, TimeUnit.SECONDS);
      assertThat(gateway.activeRequests()).isZero();
    } finally {
      mock.close();
    }
  }

  @Test
  void shutdownCutsStreamsThatOutliveTheGracePeriod() throws Exception {
    MockBackend mock = MockBackend.start(MockBackendOptions.defaults().withTokensPerSecond(2));
    try {
      Gateway gateway = ProxyFixture.start(ProxyFixture.server().withShutdownTimeout(Duration.ofMillis(300)),
          ProxyFixture.backend(List.of(mock.port()), Duration.ofSeconds(10)));
      HttpResponse<Stream<String>> response = ProxyFixture.client().send(
          ProxyFixture.request(gateway, "/v1/chat/completions").header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(ProxyFixture.chatBody(true, 100))).build(),
          HttpResponse.BodyHandlers.ofLines());
      long start = System.nanoTime();
      gateway.shutdown().get(10, TimeUnit.SECONDS);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5_000);
      assertThatThrownBy(() -> response.body().toList()).isInstanceOf(java.io.UncheckedIOException.class);
    } finally {
      mock.close();
    }
  }
}
