package dev.spillway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.EndpointAddress;
import dev.spillway.core.config.FailoverTierConfig;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.config.RouteConfig;
import dev.spillway.core.config.RouteMatch;
import dev.spillway.core.config.ServerConfig;
import java.net.ConnectException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Retries on another endpoint and failover to the next tier, before anything reached the client. */
class RetryAndFailoverTest {
  private static final String BODY = "{\"model\":\"big\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  private static final String POST = "POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
      + "Content-Length: " + BODY.length() + "\r\n\r\n" + BODY;
  private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";

  private static EmbeddedProxy twoEndpoints() {
    return twoEndpoints(new java.util.ArrayList<>());
  }

  private static EmbeddedProxy twoEndpoints(java.util.List<dev.spillway.core.observe.ExchangeRecord> records) {
    BackendConfig b = BackendConfig.of("primary", List.of(new EndpointAddress("10.0.0.1", 8000),
        new EndpointAddress("10.0.0.2", 8000)));
    return new EmbeddedProxy(new GatewayConfig(ServerConfig.DEFAULTS, Map.of("primary", b),
        List.of(new RouteConfig("chat", new RouteMatch(null, "/"), "primary"))), records::add);
  }

  @Test
  void retriesARefusedConnectOnTheOtherEndpoint() {
    try (EmbeddedProxy proxy = twoEndpoints()) {
      proxy.connectFailure = new ConnectException("refused");
      proxy.clientSends(POST);
      assertThat(proxy.upstreams).as("the retry waits for its backoff").isEmpty();
      proxy.advance(1, TimeUnit.SECONDS);
      String sent = proxy.upstreamReceived();
      assertThat(sent).startsWith("POST /v1/chat/completions ").endsWith(BODY);
      proxy.upstreamSends(OK);
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 200 ");
    }
  }

  @Test
  void retriesA503OnTheOtherEndpointAndTheClientNeverSeesIt() {
    java.util.List<dev.spillway.core.observe.ExchangeRecord> records = new java.util.ArrayList<>();
    try (EmbeddedProxy proxy = twoEndpoints(records)) {
      proxy.clientSends(POST);
      String first = proxy.upstreamReceived();
      proxy.upstreamSends("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy");
      assertThat(proxy.clientReceived()).isEmpty();
      proxy.advance(1, TimeUnit.SECONDS);
      assertThat(proxy.upstreams).hasSize(2);
      String second = proxy.upstreamReceived();
      assertThat(second).endsWith(BODY);
      assertThat(hostOf(second)).as("a different endpoint").isNotEqualTo(hostOf(first));
      proxy.upstreamSends(OK);
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 200 ").doesNotContain("busy");
      assertThat(records).singleElement().satisfies(r -> {
        assertThat(r.attempts()).isEqualTo(2);
        assertThat(r.endpointsTried()).as("the access log sees every attempt")
            .isEqualTo("http://" + hostOf(first).substring(6) + ",http://" + hostOf(second).substring(6));
      });
    }
  }

  @Test
  void failsOverToTheNextTierWithItsModel() {
    Map<String, BackendConfig> backends = new LinkedHashMap<>();
    backends.put("primary", BackendConfig.of("primary", List.of(new EndpointAddress("10.0.0.1", 8000))));
    backends.put("fallback", BackendConfig.of("fallback", List.of(new EndpointAddress("10.0.9.9", 8000))));
    RouteConfig route = new RouteConfig("chat", new RouteMatch(null, "/"), "primary")
        .withTiers(List.of(FailoverTierConfig.of("primary"), new FailoverTierConfig("fallback", "small")));
    ServerConfig exposing = ServerConfig.DEFAULTS.withHeaderHygiene(ServerConfig.DEFAULT_MAX_HEADER_COUNT,
        dev.spillway.core.config.ForwardedHeadersConfig.DEFAULTS, true);
    try (EmbeddedProxy proxy = new EmbeddedProxy(new GatewayConfig(exposing, backends, List.of(route)))) {
      proxy.clientSends(POST);
      assertThat(proxy.upstreamReceived()).contains("host: 10.0.0.1:8000");
      proxy.upstreamSends("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
      proxy.advance(1, TimeUnit.SECONDS);
      String sent = proxy.upstreamReceived();
      assertThat(sent).contains("host: 10.0.9.9:8000").contains("\"model\":\"small\"").doesNotContain("\"big\"");
      String body = sent.substring(sent.indexOf("\r\n\r\n") + 4);
      assertThat(sent).contains("content-length: " + body.length());
      proxy.upstreamSends(OK);
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 200 ").contains("x-spillway-backend: fallback/10.0.9.9:8000");
    }
  }

  @Test
  void doesNotRetryABodyItCannotReplay() {
    try (EmbeddedProxy proxy = twoEndpoints()) {
      proxy.clientSends("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
      proxy.upstreamReceived();
      proxy.upstream().close();
      assertThat(proxy.clientReceived()).as("a chunked body streams through and is not replayed")
          .startsWith("HTTP/1.1 502 ");
      assertThat(proxy.upstreams).hasSize(1);
    }
  }

  @Test
  void doesNotRetryOnceTheResponseStarted() {
    try (EmbeddedProxy proxy = twoEndpoints()) {
      proxy.clientSends(POST);
      proxy.upstreamReceived();
      proxy.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
      proxy.upstream().close();
      proxy.advance(1, TimeUnit.SECONDS);
      assertThat(proxy.upstreams).hasSize(1);
      assertThat(proxy.client.isOpen()).isFalse();
    }
  }

  private static final String STREAM_BODY =
      "{\"model\":\"big\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  private static final String STREAM_POST = "POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\n"
      + "Content-Type: application/json\r\nContent-Length: " + STREAM_BODY.length() + "\r\n\r\n" + STREAM_BODY;
  private static final String SSE_HEAD =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";

  private static String chunk(String event) {
    return Integer.toHexString(event.length()) + "\r\n" + event + "\r\n";
  }

  @Test
  void aStreamThatDiesBeforeItsFirstTokenCompletesOnAnotherEndpoint() {
    try (EmbeddedProxy proxy = twoEndpoints()) {
      proxy.clientSends(STREAM_POST);
      proxy.upstreamReceived();
      proxy.upstreamSends(SSE_HEAD + chunk("data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n"));
      assertThat(proxy.clientReceived()).as("held back until the first token").isEmpty();
      proxy.upstream().close();
      assertThat(proxy.clientReceived()).isEmpty();
      proxy.advance(1, TimeUnit.SECONDS);
      assertThat(proxy.upstreams).hasSize(2);
      assertThat(proxy.upstreamReceived()).endsWith(STREAM_BODY);
      proxy.upstreamSends(SSE_HEAD + chunk("data: {\"choices\":[{\"delta\":{\"content\":\"hello\"}}]}\n\n"));
      String received = proxy.clientReceived();
      assertThat(received).startsWith("HTTP/1.1 200 ").contains("hello");
      proxy.upstreamSends(chunk("data: [DONE]\n\n") + "0\r\n\r\n");
      assertThat(proxy.clientReceived()).contains("[DONE]").endsWith("0\r\n\r\n");
    }
  }

  @Test
  void aStreamWithoutAFirstTokenInTimeMovesToAnotherEndpoint() {
    try (EmbeddedProxy proxy = twoEndpoints()) {
      proxy.clientSends(STREAM_POST);
      proxy.upstreamReceived();
      proxy.upstreamSends(SSE_HEAD);
      proxy.advance(29, TimeUnit.SECONDS);
      assertThat(proxy.upstreams).hasSize(1);
      proxy.advance(2, TimeUnit.SECONDS);
      assertThat(proxy.upstreams.get(0).isOpen()).as("the silent attempt is dropped").isFalse();
      proxy.advance(1, TimeUnit.SECONDS);
      assertThat(proxy.upstreams).hasSize(2);
      proxy.upstreamReceived();
      proxy.upstreamSends(SSE_HEAD + chunk("data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\n"));
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 200 ").contains("\"hi\"");
    }
  }

  @Test
  void aStreamIsCommittedAtItsFirstTokenAndFlowsOn() {
    try (EmbeddedProxy proxy = twoEndpoints()) {
      proxy.clientSends(STREAM_POST);
      proxy.upstreamReceived();
      proxy.upstreamSends(SSE_HEAD + chunk("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n"));
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 200 ").contains("\"a\"");
      proxy.upstreamSends(chunk("data: {\"choices\":[{\"delta\":{\"content\":\"b\"}}]}\n\n"));
      assertThat(proxy.clientReceived()).contains("\"b\"");
      proxy.upstream().close();
      proxy.advance(1, TimeUnit.SECONDS);
      assertThat(proxy.upstreams).as("after the first token there is no failover").hasSize(1);
      assertThat(proxy.client.isOpen()).isFalse();
    }
  }

  @Test
  void sendsHeartbeatsDuringLongSilencesButNeverInsideAnEvent() {
    BackendConfig b = BackendConfig.of("primary", List.of(new EndpointAddress("10.0.0.1", 8000)));
    RouteConfig route = new RouteConfig("chat", new RouteMatch(null, "/"), "primary")
        .withStream(new dev.spillway.core.config.StreamConfig(java.time.Duration.ofSeconds(30),
            java.time.Duration.ofSeconds(60), java.time.Duration.ofMinutes(10), java.time.Duration.ofSeconds(10)));
    try (EmbeddedProxy proxy = new EmbeddedProxy(new GatewayConfig(ServerConfig.DEFAULTS, Map.of("primary", b),
        List.of(route)))) {
      proxy.clientSends(STREAM_POST);
      proxy.upstreamReceived();
      proxy.upstreamSends(SSE_HEAD + chunk("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n"));
      proxy.clientReceived();
      proxy.advance(11, TimeUnit.SECONDS);
      assertThat(proxy.clientReceived()).isEqualTo(chunk(": keep-alive\n\n"));
      proxy.upstreamSends(chunk("data: {\"choices\":[{\"delta\":"));
      proxy.clientReceived();
      proxy.advance(25, TimeUnit.SECONDS);
      assertThat(proxy.clientReceived()).as("mid-event: no comment may be inserted").isEmpty();
      proxy.upstreamSends(chunk("{\"content\":\"b\"}}]}\n\n"));
      proxy.clientReceived();
      proxy.advance(11, TimeUnit.SECONDS);
      assertThat(proxy.clientReceived()).isEqualTo(chunk(": keep-alive\n\n"));
    }
  }

  private static String hostOf(String request) {
    int i = request.indexOf("\r\nhost: ") + 2;
    return request.substring(i, request.indexOf("\r\n", i));
  }
}
