package dev.spillway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.EndpointAddress;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.config.RouteConfig;
import dev.spillway.core.config.RouteMatch;
import dev.spillway.core.config.ServerConfig;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The first-token hold on the real pipeline for the Responses, Completions and Anthropic Messages streams: each
 * stream's preamble is held until its first content event, and an error event before it fails over.
 */
class LlmStreamHoldTest {
  private static final String BODY = "{\"model\":\"m\",\"stream\":true,\"max_tokens\":5,\"input\":\"hi\"}";
  private static final String SSE_HEAD =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";

  private static EmbeddedProxy endpoints(int n) {
    List<EndpointAddress> addresses = new java.util.ArrayList<>();
    for (int i = 1; i <= n; i++) {
      addresses.add(new EndpointAddress("10.0.0." + i, 8000));
    }
    return new EmbeddedProxy(new GatewayConfig(ServerConfig.DEFAULTS, Map.of("p", BackendConfig.of("p", addresses)),
        List.of(new RouteConfig("all", new RouteMatch(null, "/"), "p"))));
  }

  private static String post(String path) {
    return "POST " + path + " HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: "
        + BODY.length() + "\r\n\r\n" + BODY;
  }

  private static String chunk(String type, String json) {
    String event = "event: " + type + "\ndata: " + json + "\n\n";
    return Integer.toHexString(event.length()) + "\r\n" + event + "\r\n";
  }

  @Test
  void aResponsesStreamIsHeldUntilItsFirstTextDelta() {
    try (EmbeddedProxy proxy = endpoints(1)) {
      proxy.clientSends(post("/v1/responses"));
      proxy.upstreamReceived();
      proxy.upstreamSends(SSE_HEAD
          + chunk("response.created", "{\"type\":\"response.created\",\"response\":{\"usage\":null}}")
          + chunk("response.in_progress", "{\"type\":\"response.in_progress\",\"response\":{}}")
          + chunk("response.output_item.added", "{\"type\":\"response.output_item.added\",\"item\":{}}")
          + chunk("response.content_part.added", "{\"type\":\"response.content_part.added\",\"part\":{}}"));
      assertThat(proxy.clientReceived()).isEmpty();
      proxy.upstreamSends(chunk("response.output_text.delta",
          "{\"type\":\"response.output_text.delta\",\"delta\":\"Hi\"}"));
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 200 ").contains("response.created")
          .contains("\"delta\":\"Hi\"");
    }
  }

  @Test
  void anAnthropicStreamIsHeldUntilItsFirstContentBlockDelta() {
    try (EmbeddedProxy proxy = endpoints(1)) {
      proxy.clientSends(post("/v1/messages"));
      proxy.upstreamReceived();
      proxy.upstreamSends(SSE_HEAD
          + chunk("message_start", "{\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":3,"
              + "\"output_tokens\":1}}}")
          + chunk("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
              + "{\"type\":\"text\",\"text\":\"\"}}")
          + chunk("ping", "{\"type\":\"ping\"}"));
      assertThat(proxy.clientReceived()).isEmpty();
      proxy.upstreamSends(chunk("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
          + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}"));
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 200 ").contains("message_start").contains("Hello");
    }
  }

  @Test
  void anAnthropicOverloadedErrorBeforeTheFirstTokenFailsOver() {
    try (EmbeddedProxy proxy = endpoints(2)) {
      proxy.clientSends(post("/v1/messages"));
      proxy.upstreamReceived();
      proxy.upstreamSends(SSE_HEAD
          + chunk("message_start", "{\"type\":\"message_start\",\"message\":{}}")
          + chunk("error", "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"));
      assertThat(proxy.clientReceived()).isEmpty();
      proxy.advance(1, TimeUnit.SECONDS);
      assertThat(proxy.upstreams).hasSize(2);
      assertThat(proxy.upstreamReceived()).endsWith(BODY);
      proxy.upstreamSends(SSE_HEAD + chunk("content_block_delta", "{\"type\":\"content_block_delta\","
          + "\"delta\":{\"type\":\"text_delta\",\"text\":\"ok\"}}"));
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 200 ").contains("\"ok\"").doesNotContain("Overloaded");
    }
  }

  @Test
  void aCompletionsStreamIsCommittedByItsFirstText() {
    try (EmbeddedProxy proxy = endpoints(1)) {
      proxy.clientSends(post("/v1/completions"));
      proxy.upstreamReceived();
      String empty = "data: {\"object\":\"text_completion\",\"choices\":[{\"text\":\"\",\"index\":0}]}\n\n";
      String text = "data: {\"object\":\"text_completion\",\"choices\":[{\"text\":\"Once\",\"index\":0}]}\n\n";
      proxy.upstreamSends(SSE_HEAD + Integer.toHexString(empty.length()) + "\r\n" + empty + "\r\n");
      assertThat(proxy.clientReceived()).isEmpty();
      proxy.upstreamSends(Integer.toHexString(text.length()) + "\r\n" + text + "\r\n");
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 200 ").contains("Once");
    }
  }
}
