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
 * Only an event stream the gateway recognises as an LLM answer is held back until its first token; every other
 * event stream reaches the client as it arrives, and an error before the first token fails over.
 */
class EventStreamHoldTest {
  private static final String BODY =
      "{\"model\":\"big\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  private static final String SSE_HEAD =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";

  private static EmbeddedProxy endpoints(int n) {
    List<EndpointAddress> addresses = new java.util.ArrayList<>();
    for (int i = 1; i <= n; i++) {
      addresses.add(new EndpointAddress("10.0.0." + i, 8000));
    }
    BackendConfig b = BackendConfig.of("primary", addresses);
    return new EmbeddedProxy(new GatewayConfig(ServerConfig.DEFAULTS, Map.of("primary", b),
        List.of(new RouteConfig("all", new RouteMatch(null, "/"), "primary"))));
  }

  private static String post(String path) {
    return "POST " + path + " HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: "
        + BODY.length() + "\r\n\r\n" + BODY;
  }

  private static String chunk(String event) {
    return Integer.toHexString(event.length()) + "\r\n" + event + "\r\n";
  }

  @Test
  void aGenericEventStreamAnsweringAGetIsCommittedAtOnce() {
    try (EmbeddedProxy proxy = endpoints(2)) {
      proxy.clientSends("GET /v1/events HTTP/1.1\r\nHost: a\r\nAccept: text/event-stream\r\n\r\n");
      proxy.upstreamReceived();
      proxy.upstreamSends(SSE_HEAD + chunk("data: {\"tick\":1}\n\n"));
      String received = proxy.clientReceived();
      assertThat(received).startsWith("HTTP/1.1 200 ").contains("{\"tick\":1}");
    }
  }

  @Test
  void aRoleOnlyChunkOnANonLlmPathIsNotHeld() {
    try (EmbeddedProxy proxy = endpoints(2)) {
      proxy.clientSends(post("/v1/jobs/stream"));
      proxy.upstreamReceived();
      proxy.upstreamSends(SSE_HEAD + chunk("data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n"));
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 200 ").contains("assistant");
    }
  }

  @Test
  void anUnrecognisedEventOnAnLlmPathIsCommittedAtOnce() {
    try (EmbeddedProxy proxy = endpoints(2)) {
      proxy.clientSends(post("/v1/chat/completions"));
      proxy.upstreamReceived();
      proxy.upstreamSends(SSE_HEAD + chunk("data: {\"progress\":0.1}\n\n"));
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 200 ").contains("progress");
    }
  }

  @Test
  void aChatStreamIsStillHeldUntilItsFirstToken() {
    try (EmbeddedProxy proxy = endpoints(2)) {
      proxy.clientSends(post("/v1/chat/completions"));
      proxy.upstreamReceived();
      proxy.upstreamSends(SSE_HEAD + chunk("data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n"));
      assertThat(proxy.clientReceived()).isEmpty();
      proxy.upstreamSends(chunk("data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\n"));
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 200 ").contains("assistant").contains("\"hi\"");
    }
  }

  @Test
  void anErrorEventBeforeTheFirstTokenFailsOver() {
    try (EmbeddedProxy proxy = endpoints(2)) {
      proxy.clientSends(post("/v1/chat/completions"));
      proxy.upstreamReceived();
      proxy.upstreamSends(SSE_HEAD + chunk("data: {\"error\":{\"message\":\"overloaded\"}}\n\n"));
      assertThat(proxy.clientReceived()).isEmpty();
      assertThat(proxy.upstreams.get(0).isOpen()).as("the failed attempt's connection is dropped").isFalse();
      proxy.advance(1, TimeUnit.SECONDS);
      assertThat(proxy.upstreams).hasSize(2);
      assertThat(proxy.upstreamReceived()).endsWith(BODY);
      proxy.upstreamSends(SSE_HEAD + chunk("data: {\"choices\":[{\"delta\":{\"content\":\"ok\"}}]}\n\n"));
      String received = proxy.clientReceived();
      assertThat(received).startsWith("HTTP/1.1 200 ").contains("\"ok\"").doesNotContain("overloaded");
    }
  }

  @Test
  void anErrorEventWithNoAttemptLeftReachesTheClient() {
    try (EmbeddedProxy proxy = endpoints(1)) {
      proxy.clientSends(post("/v1/chat/completions"));
      proxy.upstreamReceived();
      proxy.upstreamSends(SSE_HEAD + chunk("data: {\"error\":{\"message\":\"overloaded\"}}\n\n"));
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 200 ").contains("overloaded");
    }
  }

  @Test
  void anEventStreamWithContentLengthIsReframedChunked() {
    try (EmbeddedProxy proxy = endpoints(1)) {
      proxy.clientSends("GET /v1/events HTTP/1.1\r\nHost: a\r\n\r\n");
      proxy.upstreamReceived();
      String event = "data: {\"tick\":1}\n\n";
      proxy.upstreamSends("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: "
          + event.length() + "\r\n\r\n" + event);
      String received = proxy.clientReceived();
      assertThat(received.toLowerCase()).contains("transfer-encoding: chunked\r\n").doesNotContain("content-length");
      assertThat(received).endsWith(chunk(event) + "0\r\n\r\n");
    }
  }
}
