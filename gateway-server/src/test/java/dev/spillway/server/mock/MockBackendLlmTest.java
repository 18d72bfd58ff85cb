package dev.spillway.server.mock;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spillway.server.mock.engine.EngineOptions;
import dev.spillway.server.mock.engine.MetricsFlavor;
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
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;

/** The {@code llm} engine over loopback: response shapes, metrics, the queue bound and aborts. */
class MockBackendLlmTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** Fast steps so tests take milliseconds: 2 ms a step, prompts nearly free. */
  private static EngineOptions fast() {
    return EngineOptions.defaults().withDecodeStep(Duration.ofMillis(2)).withDecodeStepPerSeq(Duration.ZERO)
        .withPrefillTokensPerSecond(1_000_000);
  }

  private static MockBackend start(EngineOptions engine) throws InterruptedException {
    return MockBackend.start(MockBackendOptions.defaults(), engine);
  }

  private HttpResponse<String> post(MockBackend backend, String body) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(backend.url() + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(10)).POST(BodyPublishers.ofString(body)).build(), BodyHandlers.ofString());
  }

  private HttpResponse<String> get(MockBackend backend, String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(backend.url() + path)).timeout(Duration.ofSeconds(10))
        .build(), BodyHandlers.ofString());
  }

  private static String chatRequest(String body) {
    return "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.getBytes(UTF_8).length
        + "\r\n\r\n" + body;
  }

  /** Waits (bounded, no sleeps) until the engine reports {@code expected}. */
  private static void await(IntSupplier value, int expected, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (value.getAsInt() != expected) {
      assertThat(System.nanoTime() - deadline).as("%s never reached %d", what, expected).isNegative();
      Thread.onSpinWait();
    }
  }

  private static List<JsonNode> events(String body) throws Exception {
    List<JsonNode> events = new ArrayList<>();
    for (String line : body.split("\n")) {
      if (line.startsWith("data: ") && !line.equals("data: [DONE]")) {
        events.add(JSON.readTree(line.substring(6)));
      }
    }
    return events;
  }

  @Test
  void aNonStreamedAnswerIsOneChatCompletionWithUsage() throws Exception {
    try (MockBackend backend = start(fast())) {
      HttpResponse<String> response = post(backend, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
          + "\"content\":\"" + "x".repeat(400) + "\"}],\"max_tokens\":7}");

      assertThat(response.statusCode()).isEqualTo(200);
      JsonNode body = JSON.readTree(response.body());
      assertThat(body.path("object").asText()).isEqualTo("chat.completion");
      assertThat(body.path("model").asText()).isEqualTo("m");
      assertThat(body.path("choices").path(0).path("message").path("content").asText().split(" ")).hasSize(7);
      assertThat(body.path("choices").path(0).path("finish_reason").asText()).isEqualTo("length");
      assertThat(body.path("usage").path("prompt_tokens").asInt()).isEqualTo(100);
      assertThat(body.path("usage").path("completion_tokens").asInt()).isEqualTo(7);
      assertThat(body.path("usage").path("total_tokens").asInt()).isEqualTo(107);
    }
  }

  @Test
  void aStreamSendsOneChunkPerTokenAndUsageLast() throws Exception {
    try (MockBackend backend = start(fast())) {
      HttpResponse<String> response = post(backend, "{\"messages\":[{\"role\":\"user\",\"content\":\"abcdefgh\"}],"
          + "\"stream\":true,\"stream_options\":{\"include_usage\":true},\"max_tokens\":5}");

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");
      assertThat(response.body()).endsWith("data: [DONE]\n\n");
      List<JsonNode> events = events(response.body());
      // role, 5 tokens, finish, usage
      assertThat(events).hasSize(8);
      assertThat(events).allMatch(e -> e.path("object").asText().equals("chat.completion.chunk"));
      assertThat(events.get(0).path("choices").path(0).path("delta").path("role").asText()).isEqualTo("assistant");
      for (int i = 1; i <= 5; i++) {
        assertThat(events.get(i).path("choices").path(0).path("delta").path("content").asText()).isNotEmpty();
        assertThat(events.get(i).path("usage").isNull()).isTrue();
      }
      assertThat(events.get(6).path("choices").path(0).path("finish_reason").asText()).isEqualTo("length");
      JsonNode usage = events.get(7);
      assertThat(usage.path("choices")).isEmpty();
      assertThat(usage.path("usage").path("prompt_tokens").asInt()).isEqualTo(2);
      assertThat(usage.path("usage").path("completion_tokens").asInt()).isEqualTo(5);
    }
  }

  @Test
  void withoutMaxTokensTheAnswerLengthIsDrawnAndStops() throws Exception {
    try (MockBackend backend = start(fast())) {
      HttpResponse<String> response = post(backend, "{\"messages\":[],\"stream\":true,"
          + "\"stream_options\":{\"include_usage\":true}}");

      List<JsonNode> events = events(response.body());
      int completion = events.get(events.size() - 1).path("usage").path("completion_tokens").asInt();
      assertThat(completion).isPositive();
      assertThat(events).hasSize(completion + 3);
      assertThat(events.get(events.size() - 2).path("choices").path(0).path("finish_reason").asText())
          .isEqualTo("stop");
    }
  }

  @Test
  void metricsServeTheEnginesOwnNames() throws Exception {
    try (MockBackend backend = start(fast())) {
      post(backend, "{\"messages\":[],\"max_tokens\":3}");
      post(backend, "{\"messages\":[],\"max_tokens\":4}");

      HttpResponse<String> metrics = get(backend, "/metrics");

      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
      assertThat(metrics.body())
          .contains("# TYPE vllm:num_requests_running gauge\n")
          .contains("vllm:num_requests_running{engine=\"0\",model_name=\"mock-gpt\"} 0.0\n")
          .contains("vllm:num_requests_waiting{engine=\"0\",model_name=\"mock-gpt\"} 0.0\n")
          .contains("vllm:kv_cache_usage_perc{engine=\"0\",model_name=\"mock-gpt\"} 0.0\n")
          .contains("vllm:generation_tokens_total{engine=\"0\",model_name=\"mock-gpt\"} 7.0\n")
          .contains("vllm:time_to_first_token_seconds_count{engine=\"0\",model_name=\"mock-gpt\"} 2.0\n")
          .contains("vllm:e2e_request_latency_seconds_count{engine=\"0\",model_name=\"mock-gpt\"} 2.0\n");
    }
  }

  @Test
  void sglangNamesOnRequest() throws Exception {
    try (MockBackend backend = start(fast().withMetrics(MetricsFlavor.SGLANG))) {
      assertThat(get(backend, "/metrics").body()).contains("sglang:num_running_reqs{")
          .contains("sglang:num_queue_reqs{").contains("sglang:token_usage{").doesNotContain("vllm:");
    }
  }

  @Test
  void aFullQueueIsRefusedWith503AndAnAbortFreesTheSlot() throws Exception {
    try (MockBackend backend = start(fast().withMaxRunning(1).withEngineQueue(0))) {
      try (RawHttp holder = new RawHttp(backend.port())) {
        // 100k tokens at 2 ms: it would hold the only slot for minutes.
        holder.send(chatRequest("{\"messages\":[],\"stream\":true,\"max_tokens\":30000}"));
        assertThat(holder.readHead().status()).isEqualTo(200);
        assertThat(backend.engine().stats().running()).isEqualTo(1);

        HttpResponse<String> refused = post(backend, "{\"messages\":[],\"max_tokens\":1}");
        assertThat(refused.statusCode()).isEqualTo(503);
        JsonNode error = JSON.readTree(refused.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("server_error");
        assertThat(error.path("message").asText()).contains("overloaded");
      }
      await(() -> backend.engine().stats().running(), 0, "running");
      assertThat(backend.engine().stats().kvUsed()).isZero();
      assertThat(backend.engine().stats().aborted()).isEqualTo(1);
      assertThat(post(backend, "{\"messages\":[],\"max_tokens\":1}").statusCode()).isEqualTo(200);
      assertThat(get(backend, "/health").body()).isEqualTo("{\"status\":\"ok\",\"inFlight\":0,\"queued\":0}");
    }
  }

  @Test
  void tgiRefusesWith429ModelIsOverloaded() throws Exception {
    try (MockBackend backend = start(fast().withMaxRunning(1).withEngineQueue(0).withMetrics(MetricsFlavor.TGI))) {
      try (RawHttp holder = new RawHttp(backend.port())) {
        holder.send(chatRequest("{\"messages\":[],\"stream\":true,\"max_tokens\":30000}"));
        assertThat(holder.readHead().status()).isEqualTo(200);

        HttpResponse<String> refused = post(backend, "{\"messages\":[],\"max_tokens\":1}");

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.body()).isEqualTo("{\"error\":\"Model is overloaded\",\"error_type\":\"overloaded\"}");
        assertThat(get(backend, "/metrics").body()).contains("tgi_batch_current_size 1\n")
            .contains("tgi_queue_size 0\n");
      }
    }
  }

  @Test
  void aRequestLongerThanTheKvCacheIs400() throws Exception {
    try (MockBackend backend = start(fast().withKvCacheTokens(1000))) {
      HttpResponse<String> response = post(backend, "{\"messages\":[],\"max_tokens\":5000}");

      assertThat(response.statusCode()).isEqualTo(400);
      assertThat(response.body()).contains("maximum context length is 1000 tokens");
    }
  }

  @Test
  void theFixedEngineHasNoMetrics() throws Exception {
    try (MockBackend backend = MockBackend.start(MockBackendOptions.defaults())) {
      assertThat(get(backend, "/metrics").statusCode()).isEqualTo(404);
    }
  }
}
