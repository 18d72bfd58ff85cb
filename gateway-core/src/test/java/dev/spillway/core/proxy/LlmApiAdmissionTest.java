package dev.spillway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.AdmissionConfig;
import dev.spillway.core.config.ApiKeys;
import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.BandwidthConfig;
import dev.spillway.core.config.EndpointAddress;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.config.IdentityConfig;
import dev.spillway.core.config.LimitConfig;
import dev.spillway.core.config.LimitUnit;
import dev.spillway.core.config.LimiterCacheConfig;
import dev.spillway.core.config.PriorityClass;
import dev.spillway.core.config.RejectionConfig;
import dev.spillway.core.config.RouteConfig;
import dev.spillway.core.config.RouteMatch;
import dev.spillway.core.config.ServerConfig;
import dev.spillway.core.config.TenantConfig;
import dev.spillway.core.config.TierConfig;
import dev.spillway.core.config.TokenEstimationConfig;
import dev.spillway.core.config.WaitingRoomConfig;
import dev.spillway.core.llm.BpeEncoding;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Token reserve and settle for the Responses, Embeddings and Anthropic Messages APIs on the real pipeline, and
 * Anthropic-shaped rejections on a Messages path.
 */
class LlmApiAdmissionTest {
  private static final String KEY = "sk-acme-test";
  private static final String OK = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
  /** Reserves 100 tokens (max_tokens) and settles to 100, as the backend reports no usage. */
  private static final String SMALL = "{\"model\":\"m\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\","
      + "\"content\":\"hi\"}]}";

  private static GatewayConfig config(List<LimitConfig> limits, RejectionConfig rejection) {
    TierConfig pro = new TierConfig("pro", PriorityClass.STANDARD, limits);
    TenantConfig acme = new TenantConfig("acme", "pro", List.of(ApiKeys.sha256Hex(KEY)));
    AdmissionConfig admission = new AdmissionConfig(IdentityConfig.DEFAULTS, false, "pro", List.of(),
        TokenEstimationConfig.DEFAULTS, rejection);
    BackendConfig backend = BackendConfig.of("b", List.of(new EndpointAddress("10.0.0.1", 8000)));
    return new GatewayConfig(ServerConfig.DEFAULTS, Map.of("b", backend),
        List.of(new RouteConfig("llm", new RouteMatch(null, "/"), "b", admission)), Map.of("pro", pro),
        List.of(acme), LimiterCacheConfig.DEFAULTS);
  }

  private static GatewayConfig tokens(long n) {
    return config(List.of(new LimitConfig("tpm", LimitUnit.TOKENS, List.of(new BandwidthConfig(n,
        Duration.ofHours(1))), true)), RejectionConfig.DEFAULTS);
  }

  private static String post(String path, String body) {
    return "POST " + path + " HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " + KEY
        + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
  }

  private static String eventStream(String... events) {
    StringBuilder sb = new StringBuilder("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n");
    for (String e : events) {
      sb.append(Integer.toHexString(e.length())).append("\r\n").append(e).append("\r\n");
    }
    return sb.append("0\r\n\r\n").toString();
  }

  private static String sse(String type, String json) {
    return "event: " + type + "\ndata: " + json + "\n\n";
  }

  private static String json(String body) {
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n"
        + body;
  }

  /** Sends SMALL (reserving 100) and returns the tokens remaining that its answer reports. */
  private static String remainingAfterNextReserve(EmbeddedProxy proxy) {
    proxy.clientSends(post("/v1/chat/completions", SMALL));
    proxy.upstreamReceived();
    proxy.upstreamSends(OK);
    String received = proxy.clientReceived();
    int at = received.indexOf("x-ratelimit-remaining-tokens: ");
    return received.substring(at + 30, received.indexOf("\r\n", at));
  }

  @Test
  void aKnownModelsPromptIsReservedByItsBpeCountAndSettledFromUsageAsBefore() {
    String sentence = "The quick brown fox jumps over the lazy dog. ";
    String body = "{\"model\":\"gpt-4o\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\""
        + sentence.repeat(40) + "\"}]}";
    long bpe = BpeEncoding.O200K_BASE.count(sentence.repeat(40));
    // The character rule would reserve ceil(1800 / 4) = 450; the model's encoding says 10 per sentence, and
    // one for the last space.
    assertThat(bpe).isEqualTo(401);
    try (EmbeddedProxy proxy = new EmbeddedProxy(tokens(1000))) {
      proxy.clientSends(post("/v1/chat/completions", body));
      proxy.upstreamReceived();
      proxy.upstreamSends(json("{\"object\":\"chat.completion\",\"choices\":[],\"usage\":{\"prompt_tokens\":"
          + "407,\"completion_tokens\":1,\"total_tokens\":408}}"));
      assertThat(proxy.clientReceived()).contains("x-ratelimit-remaining-tokens: 599");
      // 401 reserved, settled to 408; the next reserves 100: 1000 - 408 - 100.
      assertThat(remainingAfterNextReserve(proxy)).isEqualTo("492");
    }
  }

  @Test
  void aResponsesStreamReservesMaxOutputTokensAndSettlesFromResponseCompleted() {
    String body = "{\"model\":\"gpt-4.1\",\"input\":\"hi\",\"max_output_tokens\":60,\"stream\":true}";
    try (EmbeddedProxy proxy = new EmbeddedProxy(tokens(1000))) {
      proxy.clientSends(post("/v1/responses", body));
      // The Responses API knows no stream_options: the body goes on untouched.
      assertThat(proxy.upstreamReceived()).endsWith("\r\n\r\n" + body);
      proxy.upstreamSends(eventStream(
          sse("response.created", "{\"type\":\"response.created\",\"response\":{\"usage\":null}}"),
          sse("response.output_text.delta", "{\"type\":\"response.output_text.delta\",\"delta\":\"Hi\"}"),
          sse("response.completed", "{\"type\":\"response.completed\",\"response\":{\"status\":\"completed\","
              + "\"usage\":{\"input_tokens\":9,\"output_tokens\":3,\"total_tokens\":12}}}")));
      String received = proxy.clientReceived();
      assertThat(received).contains("x-ratelimit-remaining-tokens: 940").contains("\"total_tokens\":12");
      // 60 reserved, settled to 12; the next reserves 100: 1000 - 12 - 100.
      assertThat(remainingAfterNextReserve(proxy)).isEqualTo("888");
    }
  }

  @Test
  void aNonStreamedResponsesAnswerSettlesFromItsUsage() {
    String body = "{\"model\":\"gpt-4.1\",\"instructions\":\"be brief\",\"input\":[{\"role\":\"user\",\"content\":"
        + "[{\"type\":\"input_text\",\"text\":\"hi\"}]}],\"max_output_tokens\":50}";
    try (EmbeddedProxy proxy = new EmbeddedProxy(tokens(1000))) {
      proxy.clientSends(post("/v1/responses", body));
      proxy.upstreamReceived();
      proxy.upstreamSends(json("{\"object\":\"response\",\"output\":[],\"usage\":{\"input_tokens\":7,"
          + "\"output_tokens\":20,\"total_tokens\":27}}"));
      assertThat(proxy.clientReceived()).contains("x-ratelimit-remaining-tokens: 950");
      assertThat(remainingAfterNextReserve(proxy)).isEqualTo("873");
    }
  }

  @Test
  void anAnthropicStreamSettlesFromMessageStartAndMessageDelta() {
    String body = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":70,\"system\":\"terse\",\"messages\":"
        + "[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}],\"stream\":true}";
    try (EmbeddedProxy proxy = new EmbeddedProxy(tokens(1000))) {
      proxy.clientSends(post("/v1/messages", body));
      assertThat(proxy.upstreamReceived()).endsWith("\r\n\r\n" + body);
      proxy.upstreamSends(eventStream(
          sse("message_start", "{\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":25,"
              + "\"output_tokens\":1}}}"),
          sse("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
              + "\"text_delta\",\"text\":\"Hello\"}}"),
          sse("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
              + "\"usage\":{\"output_tokens\":15}}"),
          sse("message_stop", "{\"type\":\"message_stop\"}")));
      assertThat(proxy.clientReceived()).contains("x-ratelimit-remaining-tokens: 930").contains("message_stop");
      // 70 reserved, settled to 25 + 15; the next reserves 100: 1000 - 40 - 100.
      assertThat(remainingAfterNextReserve(proxy)).isEqualTo("860");
    }
  }

  @Test
  void embeddingsReserveTheirInputOnlyAndSettleFromPromptTokens() {
    String input = "x".repeat(80);
    String body = "{\"model\":\"text-embedding-3-small\",\"input\":\"" + input + "\"}";
    try (EmbeddedProxy proxy = new EmbeddedProxy(tokens(1000))) {
      proxy.clientSends(post("/v1/embeddings", body));
      proxy.upstreamReceived();
      proxy.upstreamSends(json("{\"object\":\"list\",\"data\":[],\"usage\":{\"prompt_tokens\":16,"
          + "\"total_tokens\":16}}"));
      // cl100k_base (text-embedding-3) reads 80 x's as 10 tokens (80 chars / 4 would be 20); they are
      // reserved with no completion budget (not defaultMaxTokens' 1024).
      assertThat(BpeEncoding.CL100K_BASE.count(input)).isEqualTo(10);
      assertThat(proxy.clientReceived()).contains("x-ratelimit-remaining-tokens: 990");
      assertThat(remainingAfterNextReserve(proxy)).isEqualTo("884");
    }
  }

  @Test
  void aMessagesPathIsRejectedInAnthropicsShapeWith529ForOverload() {
    RejectionConfig anthropic = new RejectionConfig(429, 529, "Rate limited", "Overloaded");
    GatewayConfig config = config(List.of(new LimitConfig("rpm", LimitUnit.REQUESTS,
        List.of(new BandwidthConfig(1, Duration.ofMinutes(1))), true)), anthropic);
    String body = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":10,\"messages\":[]}";
    try (EmbeddedProxy proxy = new EmbeddedProxy(config)) {
      proxy.clientSends(post("/v1/messages", body));
      proxy.upstreamReceived();
      proxy.upstreamSends(OK);
      proxy.clientReceived();
      proxy.clientSends(post("/v1/messages", body));
      String rejected = proxy.clientReceived();
      assertThat(rejected).startsWith("HTTP/1.1 429 ")
          .contains("{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"Rate limited\"}}")
          .contains("anthropic-ratelimit-requests-limit: 1").contains("anthropic-ratelimit-requests-remaining: 0")
          .containsPattern("anthropic-ratelimit-requests-reset: \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ")
          .containsPattern("(?i)retry-after: \\d+");
      // The same route answers an OpenAI path in OpenAI's shape...
      proxy.clientSends(post("/v1/chat/completions", SMALL));
      assertThat(proxy.clientReceived()).contains("\"code\":\"rate_limit_exceeded\"")
          .doesNotContain("anthropic-ratelimit");
      // ...unless an Anthropic SDK sent it.
      proxy.clientSends(post("/v1/chat/completions", SMALL).replace("Host: a\r\n",
          "Host: a\r\nanthropic-version: 2023-06-01\r\n"));
      assertThat(proxy.clientReceived()).contains("\"rate_limit_error\"");
    }
  }
}
