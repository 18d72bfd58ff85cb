package dev.spillway.server.mock;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class MockBackendCapacityTest {
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private CompletableFuture<HttpResponse<String>> chat(MockBackend backend, String body) {
    return client.sendAsync(HttpRequest.newBuilder(URI.create(backend.url() + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(10))
        .POST(BodyPublishers.ofString(body)).build(), BodyHandlers.ofString());
  }

  @Test
  void fullQueueAnswers503WithRetryAfter() throws Exception {
    try (MockBackend backend = MockBackend.start(MockBackendOptions.defaults().withCapacity(1).withMaxQueue(1)
        .withLatency(Duration.ofMillis(600)))) {
      List<CompletableFuture<HttpResponse<String>>> calls = List.of(
          chat(backend, "{\"messages\":[]}"), chat(backend, "{\"messages\":[]}"), chat(backend, "{\"messages\":[]}"));
      CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);

      List<Integer> statuses = calls.stream().map(c -> c.join().statusCode()).sorted().collect(Collectors.toList());
      assertThat(statuses).containsExactly(200, 200, 503);
      HttpResponse<String> rejected = calls.stream().map(CompletableFuture::join)
          .filter(r -> r.statusCode() == 503).findFirst().orElseThrow();
      assertThat(rejected.headers().firstValue("retry-after")).hasValue("1");
      assertThat(rejected.body()).contains("\"type\":\"server_error\"").contains("currently overloaded")
          .contains("\"param\":null").contains("\"code\":null");
      assertThat(backend.rejected()).isEqualTo(1);
      assertThat(backend.inFlight()).isZero();
    }
  }

  @Test
  void abortedStreamFreesItsSlot() throws Exception {
    // One slot; the stream would hold it for about 50s at 2 tokens per second.
    try (MockBackend backend = MockBackend.start(MockBackendOptions.defaults().withCapacity(1).withMaxQueue(1)
        .withLatency(Duration.ZERO).withTokensPerSecond(2))) {
      try (RawHttp http = new RawHttp(backend.port())) {
        String body = "{\"messages\":[],\"stream\":true,\"max_tokens\":100}";
        http.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\n\r\n"
            + body);
        assertThat(http.readHead().status()).isEqualTo(200);
        assertThat(backend.inFlight()).isEqualTo(1);
      }

      // Queued behind the aborted stream: served only once its slot is freed.
      HttpResponse<String> next = chat(backend, "{\"messages\":[],\"max_tokens\":1}").get(5, TimeUnit.SECONDS);
      assertThat(next.statusCode()).isEqualTo(200);
      assertThat(backend.inFlight()).isZero();
      assertThat(backend.rejected()).isZero();
    }
  }

  @Test
  void abortedWaiterLeavesTheQueue() throws Exception {
    try (MockBackend backend = MockBackend.start(MockBackendOptions.defaults().withCapacity(1).withMaxQueue(1)
        .withLatency(Duration.ZERO).withTokensPerSecond(2))) {
      String stream = "{\"messages\":[],\"stream\":true,\"max_tokens\":100}";
      String single = "{\"messages\":[],\"max_tokens\":1}";
      try (RawHttp holder = new RawHttp(backend.port())) {
        holder.send(chatRequest(stream));
        assertThat(holder.readHead().status()).isEqualTo(200);
        try (RawHttp waiter = new RawHttp(backend.port())) {
          waiter.send(chatRequest(single));
          awaitQueued(backend, 1);
        }
        awaitQueued(backend, 0);
        // The queue place is free again, so this one waits rather than being rejected.
        CompletableFuture<HttpResponse<String>> next = chat(backend, single);
        awaitQueued(backend, 1);
        holder.close();
        assertThat(next.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      }
      assertThat(backend.rejected()).isZero();
      assertThat(backend.inFlight()).isZero();
    }
  }

  private static String chatRequest(String body) {
    return "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
  }

  /** Asks /health until the queue length is {@code queued}; each answer takes a round trip, not a sleep. */
  private void awaitQueued(MockBackend backend, int queued) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    String expected = "\"queued\":" + queued + "}";
    while (!client.send(HttpRequest.newBuilder(URI.create(backend.url() + "/health")).build(),
        BodyHandlers.ofString()).body().endsWith(expected)) {
      assertThat(System.nanoTime() - deadline).as("queued never reached %d", queued).isNegative();
      Thread.onSpinWait();
    }
  }

  @Test
  void closeStopsPendingStreamsWithoutLeaks() throws Exception {
    MockBackend backend = MockBackend.start(MockBackendOptions.defaults().withCapacity(1).withMaxQueue(4)
        .withLatency(Duration.ofSeconds(30)));
    try (RawHttp streaming = new RawHttp(backend.port()); RawHttp queued = new RawHttp(backend.port())) {
      streaming.send(post("{\"messages\":[],\"stream\":true}"));
      queued.send(post("{\"messages\":[]}"));
      // One holds the only slot, the other waits: both are in the mock when it closes.
      awaitQueued(backend, 1);
      backend.close();
      assertThat(streaming.closedByPeer()).isTrue();
      assertThat(queued.closedByPeer()).isTrue();
    }
  }

  private static String post(String body) {
    return "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
        + body.length() + "\r\n\r\n" + body;
  }

}
