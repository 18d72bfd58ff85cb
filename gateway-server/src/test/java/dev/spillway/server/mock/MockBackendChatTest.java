package dev.spillway.server.mock;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MockBackendChatTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static MockBackend backend;
  private static HttpClient client;

  @BeforeAll
  static void start() throws InterruptedException {
    // First token after 100ms, then one every 20ms: a stream of 10 tokens spans about 180ms.
    backend = MockBackend.start(MockBackendOptions.defaults().withLatency(Duration.ofMillis(100))
        .withTokensPerSecond(50));
    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterAll
  static void stop() {
    backend.close();
  }

  private static HttpResponse<String> post(String path, String body) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(backend.url() + path))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json")
        .POST(BodyPublishers.ofString(body)).build(), BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(backend.url() + path)).timeout(Duration.ofSeconds(10))
        .build(), BodyHandlers.ofString());
  }

  @Test
  void nonStreamAnswerHasTheChatCompletionShape() throws Exception {
    HttpResponse<String> response = post("/v1/chat/completions",
        "{\"model\":\"gpt-test\",\"messages\":[{\"role\":\"user\",\"content\":\"0123456789abcdefghij\"}],"
            + "\"max_tokens\":5}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(response.headers().firstValue("content-length")).hasValue(
        String.valueOf(response.body().getBytes(UTF_8).length));
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.path("id").asText()).startsWith("chatcmpl-");
    assertThat(body.path("object").asText()).isEqualTo("chat.completion");
    assertThat(body.path("created").asLong()).isPositive();
    assertThat(body.path("model").asText()).isEqualTo("gpt-test");
    JsonNode choice = body.path("choices").path(0);
    assertThat(choice.path("message").path("role").asText()).isEqualTo("assistant");
    assertThat(choice.path("message").path("content").asText().split(" ")).hasSize(5);
    assertThat(choice.path("finish_reason").asText()).isEqualTo("length");
    assertThat(body.path("usage").path("prompt_tokens").asInt()).isEqualTo(5);
    assertThat(body.path("usage").path("completion_tokens").asInt()).isEqualTo(5);
    assertThat(body.path("usage").path("total_tokens").asInt()).isEqualTo(10);
  }

  @Test
  void withoutMaxTokensTheDefaultLengthStops() throws Exception {
    HttpResponse<String> response = post("/v1/chat/completions",
        "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}]}");

    JsonNode body = JSON.readTree(response.body());
    assertThat(body.path("model").asText()).isEqualTo("mock-gpt");
    assertThat(body.path("choices").path(0).path("finish_reason").asText()).isEqualTo("stop");
    assertThat(body.path("usage").path("completion_tokens").asInt()).isEqualTo(16);
    assertThat(body.path("usage").path("prompt_tokens").asInt()).isEqualTo(1);
  }

  @Test
  void streamSendsTokensOneByOneAndEndsWithDone() throws Exception {
    List<String> events = new ArrayList<>();
    List<Long> arrivals = new ArrayList<>();
    HttpResponse<Stream<String>> response = client.send(HttpRequest.newBuilder(
            URI.create(backend.url() + "/v1/chat/completions")).timeout(Duration.ofSeconds(10))
        .POST(BodyPublishers.ofString("{\"model\":\"m\",\"messages\":[],\"stream\":true,"
            + "\"max_completion_tokens\":10}")).build(), BodyHandlers.ofLines());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");
    assertThat(response.headers().firstValue("cache-control")).hasValue("no-cache");
    assertThat(response.headers().firstValue("transfer-encoding")).hasValue("chunked");
    try (Stream<String> lines = response.body()) {
      lines.filter(line -> !line.isEmpty()).forEach(line -> {
        arrivals.add(System.nanoTime());
        events.add(line);
      });
    }

    // role chunk, 10 tokens, finish chunk, [DONE]
    assertThat(events).hasSize(13).allMatch(e -> e.startsWith("data: "));
    assertThat(events.get(12)).isEqualTo("data: [DONE]");
    JsonNode role = JSON.readTree(events.get(0).substring(6));
    assertThat(role.path("object").asText()).isEqualTo("chat.completion.chunk");
    assertThat(role.path("choices").path(0).path("delta").path("role").asText()).isEqualTo("assistant");
    StringBuilder content = new StringBuilder();
    for (int i = 1; i <= 10; i++) {
      JsonNode chunk = JSON.readTree(events.get(i).substring(6));
      assertThat(chunk.path("id").asText()).isEqualTo(role.path("id").asText());
      assertThat(chunk.path("choices").path(0).path("finish_reason").isNull()).isTrue();
      assertThat(chunk.has("usage")).isFalse();
      content.append(chunk.path("choices").path(0).path("delta").path("content").asText());
    }
    assertThat(content.toString().split(" ")).hasSize(10);
    JsonNode finish = JSON.readTree(events.get(11).substring(6));
    assertThat(finish.path("choices").path(0).path("finish_reason").asText()).isEqualTo("length");
    // Tokens 1 and 10 are due 180ms apart; even a stalled machine shows most of that gap.
    assertThat(Duration.ofNanos(arrivals.get(10) - arrivals.get(1))).isGreaterThan(Duration.ofMillis(90));
  }

  @Test
  void includeUsageAddsAUsageChunkBeforeDone() throws Exception {
    HttpResponse<String> response = post("/v1/chat/completions",
        "{\"messages\":[{\"role\":\"user\",\"content\":\"abcdefgh\"}],\"stream\":true,\"max_tokens\":3,"
            + "\"stream_options\":{\"include_usage\":true}}");

    String[] events = response.body().split("\n\n");
    assertThat(events).hasSize(7);
    assertThat(events[6]).isEqualTo("data: [DONE]");
    JsonNode usage = JSON.readTree(events[5].substring(6));
    assertThat(usage.path("choices").isArray()).isTrue();
    assertThat(usage.path("choices")).isEmpty();
    assertThat(usage.path("usage").path("prompt_tokens").asInt()).isEqualTo(2);
    assertThat(usage.path("usage").path("completion_tokens").asInt()).isEqualTo(3);
    assertThat(usage.path("usage").path("total_tokens").asInt()).isEqualTo(5);
    JsonNode token = JSON.readTree(events[1].substring(6));
    assertThat(token.has("usage")).isTrue();
    assertThat(token.path("usage").isNull()).isTrue();
  }

  @Test
  void invalidJsonIs400WithAnOpenAiError() throws Exception {
    HttpResponse<String> response = post("/v1/chat/completions", "{\"messages\":[");

    assertThat(response.statusCode()).isEqualTo(400);
    JsonNode error = JSON.readTree(response.body()).path("error");
    assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(error.path("message").asText()).contains("could not parse the JSON body");
    assertThat(error.has("param")).isTrue();
    assertThat(error.path("code").isNull()).isTrue();
  }

  @Test
  void missingMessagesIs400NamingTheParam() throws Exception {
    HttpResponse<String> response = post("/v1/chat/completions", "{\"model\":\"m\"}");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(response.body()).path("error").path("param").asText()).isEqualTo("messages");
  }

  @Test
  void unknownPathIs404AndWrongMethodIs405() throws Exception {
    HttpResponse<String> notFound = get("/v1/nope");
    assertThat(notFound.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(notFound.body()).path("error").path("message").asText())
        .isEqualTo("Invalid URL (GET /v1/nope)");

    HttpResponse<String> wrongMethod = get("/v1/chat/completions");
    assertThat(wrongMethod.statusCode()).isEqualTo(405);
    assertThat(wrongMethod.headers().firstValue("allow")).hasValue("POST");
    assertThat(JSON.readTree(wrongMethod.body()).path("error").path("type").asText())
        .isEqualTo("invalid_request_error");
  }

  @Test
  void modelsAndHealth() throws Exception {
    JsonNode models = JSON.readTree(get("/v1/models").body());
    assertThat(models.path("object").asText()).isEqualTo("list");
    assertThat(models.path("data").path(0).path("id").asText()).isEqualTo("mock-gpt");
    assertThat(models.path("data").path(0).path("owned_by").asText()).isEqualTo("spillway-mock");

    HttpResponse<String> health = get("/health");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(health.body()).path("status").asText()).isEqualTo("ok");
    assertThat(JSON.readTree(health.body()).has("inFlight")).isTrue();
    assertThat(JSON.readTree(health.body()).has("queued")).isTrue();
  }

  @Test
  void keepAliveReusesOneConnection() throws Exception {
    HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    long before = backend.connectionsAccepted();
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> response = fresh.send(HttpRequest.newBuilder(URI.create(backend.url() + "/health"))
          .build(), BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
    }
    assertThat(backend.connectionsAccepted() - before).isEqualTo(1);
  }

  @Test
  void connectionCloseIsHonoured() throws Exception {
    try (RawHttp http = new RawHttp(backend.port())) {
      http.send("GET /v1/models HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      RawHttp.Head head = http.readHead();
      assertThat(head.status()).isEqualTo(200);
      http.readBody(head);
      assertThat(http.closedByPeer()).isTrue();
    }
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws Exception {
    try (RawHttp http = new RawHttp(backend.port())) {
      http.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 16\r\n\r\n{\"messages\":[]}\n"
          + "GET /v1/nope HTTP/1.1\r\nHost: x\r\n\r\n"
          + "GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n");
      RawHttp.Head first = http.readHead();
      assertThat(first.status()).isEqualTo(200);
      assertThat(new String(http.readBody(first), UTF_8))
          .contains("chat.completion");
      RawHttp.Head second = http.readHead();
      assertThat(second.status()).isEqualTo(404);
      http.readBody(second);
      RawHttp.Head third = http.readHead();
      assertThat(third.status()).isEqualTo(200);
      assertThat(new String(http.readBody(third), UTF_8)).contains("mock-gpt");
    }
  }

  @Test
  void oversizedBodyIs413AndCloses() throws Exception {
    try (RawHttp http = new RawHttp(backend.port())) {
      http.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: " + (17 * 1024 * 1024)
          + "\r\n\r\n{\"messages\":[");
      RawHttp.Head head = http.readHead();
      assertThat(head.status()).isEqualTo(413);
      assertThat(JSON.readTree(http.readBody(head)).path("error").path("type").asText())
          .isEqualTo("invalid_request_error");
      assertThat(http.closedByPeer()).isTrue();
    }
  }

  @Test
  void undecodableRequestIs400AndCloses() throws Exception {
    try (RawHttp http = new RawHttp(backend.port())) {
      http.send("GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n");
      RawHttp.Head head = http.readHead();
      assertThat(head.status()).isEqualTo(400);
      http.readBody(head);
      assertThat(http.closedByPeer()).isTrue();
    }
  }
}
