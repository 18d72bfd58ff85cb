package dev.spillway.server.mock;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spillway.core.llm.JsonUsageScanner;
import dev.spillway.core.llm.SseFirstContentDetector;
import dev.spillway.core.llm.SseUsageFilter;
import dev.spillway.core.llm.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The mock's Responses, Completions, Embeddings and Anthropic Messages answers: each parses as its provider's
 * shape, and the gateway's own scanners find the usage and the first content event in it.
 */
class MockBackendApisTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static MockBackend backend;
  private static HttpClient client;

  @BeforeAll
  static void start() throws InterruptedException {
    backend = MockBackend.start(MockBackendOptions.defaults().withLatency(Duration.ofMillis(20)));
    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterAll
  static void stop() {
    backend.close();
  }

  private static HttpResponse<String> post(String path, String body) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(backend.url() + path))
        .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
        .POST(BodyPublishers.ofString(body)).build(), BodyHandlers.ofString());
  }

  /** Each {@code event:}/{@code data:} pair of a stream, as [name, json]. */
  private static List<String[]> events(String stream) {
    List<String[]> events = new ArrayList<>();
    for (String block : stream.split("\n\n")) {
      String name = null;
      String data = null;
      for (String line : block.split("\n")) {
        if (line.startsWith("event: ")) {
          name = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data = line.substring(6);
        }
      }
      events.add(new String[] {name, data});
    }
    return events;
  }

  private static Usage streamUsage(String stream) {
    SseUsageFilter filter = new SseUsageFilter(false);
    ByteBuf buf = Unpooled.directBuffer().writeBytes(stream.getBytes(UTF_8));
    filter.process(buf).release();
    filter.close();
    return filter.usage();
  }

  private static Usage bodyUsage(String body) {
    JsonUsageScanner scanner = new JsonUsageScanner();
    ByteBuf buf = Unpooled.wrappedBuffer(body.getBytes(UTF_8));
    scanner.feed(buf);
    buf.release();
    return scanner.usage();
  }

  private static SseFirstContentDetector.Seen firstContent(String stream) {
    SseFirstContentDetector detector = new SseFirstContentDetector();
    ByteBuf buf = Unpooled.wrappedBuffer(stream.getBytes(UTF_8));
    detector.feed(buf);
    buf.release();
    return detector.seen();
  }

  @Test
  void responsesApiAnswersInItsShape() throws Exception {
    HttpResponse<String> plain = post("/v1/responses", "{\"model\":\"gpt-4.1\",\"instructions\":\"abcd\","
        + "\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"efgh\"}]}],"
        + "\"max_output_tokens\":4}");
    assertThat(plain.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(plain.body());
    assertThat(body.path("object").asText()).isEqualTo("response");
    assertThat(body.path("id").asText()).startsWith("resp_");
    assertThat(body.path("status").asText()).isEqualTo("completed");
    assertThat(body.at("/output/0/content/0/type").asText()).isEqualTo("output_text");
    assertThat(body.at("/output/0/content/0/text").asText().split(" ")).hasSize(4);
    assertThat(body.at("/usage/input_tokens").asInt()).isEqualTo(2);
    assertThat(bodyUsage(plain.body())).isEqualTo(new Usage(2, 4, 6));

    HttpResponse<String> streamed = post("/v1/responses", "{\"input\":\"abcdefgh\",\"max_output_tokens\":3,"
        + "\"stream\":true}");
    assertThat(streamed.headers().firstValue("content-type")).hasValue("text/event-stream");
    List<String[]> events = events(streamed.body());
    assertThat(events).extracting(e -> e[0]).containsExactly("response.created", "response.in_progress",
        "response.output_item.added", "response.content_part.added", "response.output_text.delta",
        "response.output_text.delta", "response.output_text.delta", "response.output_text.done",
        "response.content_part.done", "response.output_item.done", "response.completed");
    for (int i = 0; i < events.size(); i++) {
      JsonNode data = JSON.readTree(events.get(i)[1]);
      assertThat(data.path("type").asText()).isEqualTo(events.get(i)[0]);
      assertThat(data.path("sequence_number").asInt()).isEqualTo(i);
    }
    assertThat(JSON.readTree(events.get(10)[1]).at("/response/usage/total_tokens").asInt()).isEqualTo(5);
    assertThat(streamUsage(streamed.body())).isEqualTo(new Usage(2, 3, 5));
    assertThat(firstContent(streamed.body())).isEqualTo(SseFirstContentDetector.Seen.CONTENT);
  }

  @Test
  void completionsAnswerTextCompletionsWithUsage() throws Exception {
    HttpResponse<String> plain = post("/v1/completions", "{\"model\":\"gpt-3.5-turbo-instruct\","
        + "\"prompt\":\"abcdefgh\",\"max_tokens\":3}");
    JsonNode body = JSON.readTree(plain.body());
    assertThat(body.path("object").asText()).isEqualTo("text_completion");
    assertThat(body.at("/choices/0/text").asText().split(" ")).hasSize(3);
    assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("length");
    assertThat(bodyUsage(plain.body())).isEqualTo(new Usage(2, 3, 5));

    HttpResponse<String> streamed = post("/v1/completions", "{\"prompt\":[1,2,3],\"max_tokens\":2,"
        + "\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
    List<String[]> events = events(streamed.body());
    assertThat(events).hasSize(5);
    assertThat(events.get(4)[1]).isEqualTo("[DONE]");
    assertThat(JSON.readTree(events.get(0)[1]).at("/choices/0/text").asText()).isNotEmpty();
    assertThat(JSON.readTree(events.get(3)[1]).path("choices")).isEmpty();
    assertThat(streamUsage(streamed.body())).isEqualTo(new Usage(3, 2, 5));
    assertThat(firstContent(streamed.body())).isEqualTo(SseFirstContentDetector.Seen.CONTENT);
  }

  @Test
  void embeddingsAnswerOneVectorPerInputAndInputTokensOnly() throws Exception {
    HttpResponse<String> response = post("/v1/embeddings", "{\"model\":\"text-embedding-3-small\","
        + "\"input\":[\"abcdefgh\",\"ijklmnop\"]}");
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.path("object").asText()).isEqualTo("list");
    assertThat(body.path("data")).hasSize(2);
    assertThat(body.at("/data/1/index").asInt()).isEqualTo(1);
    assertThat(body.at("/data/0/embedding")).hasSize(8);
    assertThat(body.at("/usage/completion_tokens").isMissingNode()).isTrue();
    assertThat(bodyUsage(response.body())).isEqualTo(new Usage(4, 0, 4));
    assertThat(post("/v1/embeddings", "{\"model\":\"m\"}").statusCode()).isEqualTo(400);
  }

  @Test
  void anthropicMessagesAnswerInAnthropicsShape() throws Exception {
    String request = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":3,\"system\":\"abcd\",\"messages\":"
        + "[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"efgh\"}]}]";
    HttpResponse<String> plain = post("/v1/messages", request + "}");
    JsonNode body = JSON.readTree(plain.body());
    assertThat(body.path("type").asText()).isEqualTo("message");
    assertThat(body.path("id").asText()).startsWith("msg_");
    assertThat(body.at("/content/0/type").asText()).isEqualTo("text");
    assertThat(body.path("stop_reason").asText()).isEqualTo("max_tokens");
    assertThat(body.at("/usage/input_tokens").asInt()).isEqualTo(2);
    assertThat(bodyUsage(plain.body())).isEqualTo(new Usage(2, 3, 5));

    HttpResponse<String> streamed = post("/v1/messages", request + ",\"stream\":true}");
    List<String[]> events = events(streamed.body());
    assertThat(events).extracting(e -> e[0]).containsExactly("message_start", "content_block_start", "ping",
        "content_block_delta", "content_block_delta", "content_block_delta", "content_block_stop",
        "message_delta", "message_stop");
    assertThat(JSON.readTree(events.get(3)[1]).at("/delta/type").asText()).isEqualTo("text_delta");
    assertThat(streamUsage(streamed.body())).isEqualTo(new Usage(2, 3, 5));
    assertThat(firstContent(streamed.body())).isEqualTo(SseFirstContentDetector.Seen.CONTENT);

    HttpResponse<String> invalid = post("/v1/messages", "{\"messages\":[]}");
    assertThat(invalid.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(invalid.body()).at("/error/type").asText()).isEqualTo("invalid_request_error");
    assertThat(JSON.readTree(invalid.body()).path("type").asText()).isEqualTo("error");
  }

  @Test
  void aFullQueueAnswersAnthropic529AndOpenAi503() throws Exception {
    try (MockBackend busy = MockBackend.start(MockBackendOptions.defaults().withLatency(Duration.ofSeconds(2))
        .withCapacity(1).withMaxQueue(0))) {
      // One slow request holds the only slot.
      var holding = client.sendAsync(HttpRequest.newBuilder(URI.create(busy.url() + "/v1/completions"))
          .timeout(Duration.ofSeconds(10)).POST(BodyPublishers.ofString("{\"prompt\":\"x\",\"max_tokens\":1}"))
          .build(), BodyHandlers.ofString());
      // Wait (bounded) until the mock reports it in flight.
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (!client.send(HttpRequest.newBuilder(URI.create(busy.url() + "/health")).build(),
          BodyHandlers.ofString()).body().contains("\"inFlight\":1") && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      HttpResponse<String> anthropic = client.send(HttpRequest.newBuilder(URI.create(busy.url() + "/v1/messages"))
          .timeout(Duration.ofSeconds(10)).POST(BodyPublishers.ofString("{\"max_tokens\":1,\"messages\":[]}"))
          .build(), BodyHandlers.ofString());
      assertThat(anthropic.statusCode()).isEqualTo(529);
      assertThat(anthropic.headers().firstValue("retry-after")).hasValue("1");
      JsonNode error = JSON.readTree(anthropic.body());
      assertThat(error.path("type").asText()).isEqualTo("error");
      assertThat(error.at("/error/type").asText()).isEqualTo("overloaded_error");
      HttpResponse<String> openai = client.send(HttpRequest.newBuilder(URI.create(busy.url() + "/v1/responses"))
          .timeout(Duration.ofSeconds(10)).POST(BodyPublishers.ofString("{\"input\":\"x\"}")).build(),
          BodyHandlers.ofString());
      assertThat(openai.statusCode()).isEqualTo(503);
      assertThat(JSON.readTree(openai.body()).at("/error/type").asText()).isNotEmpty();
      assertThat(holding.get().statusCode()).isEqualTo(200);
    }
  }
}
