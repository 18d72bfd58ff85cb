package dev.spillway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.EndpointAddress;
import dev.spillway.core.config.RouteConfig;
import dev.spillway.core.config.RouteMatch;
import dev.spillway.core.config.ServerConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Requests and responses that flow: header rewriting both ways, framing, keep-alive, pipelining, routing. */
class ProxyForwardingTest {

  @Test
  void forwardsRequestWithHopByHopHeadersStrippedAndForwardingHeadersAdded() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.clientSends("GET /v1/models?x=1 HTTP/1.1\r\n"
          + "Host: api.example.com\r\n"
          + "Connection: keep-alive, X-Secret\r\n"
          + "X-Secret: drop-me\r\n"
          + "Keep-Alive: timeout=5\r\n"
          + "TE: trailers\r\n"
          + "Proxy-Authorization: Basic abc\r\n"
          + "Upgrade: websocket\r\n"
          + "X-Forwarded-For: 203.0.113.7\r\n"
          + "Authorization: Bearer sk-test\r\n"
          + "\r\n");
      String sent = proxy.upstreamReceived();
      assertThat(sent).startsWith("GET /v1/models?x=1 HTTP/1.1\r\n");
      assertThat(sent.toLowerCase())
          .contains("host: 10.0.0.11:8000\r\n")
          .doesNotContain("203.0.113.7")
          .contains("x-forwarded-proto: http\r\n")
          .contains("x-forwarded-host: api.example.com\r\n")
          .contains("via: 1.1 spillway\r\n")
          .contains("authorization: bearer sk-test\r\n")
          .doesNotContain("x-secret")
          .doesNotContain("keep-alive")
          .doesNotContain("te:")
          .doesNotContain("proxy-authorization")
          .doesNotContain("upgrade")
          .doesNotContain("connection:");
      assertThat(sent).containsPattern("x-request-id: [0-9a-f]{32}\r\n");
    }
  }

  @Test
  void returnsResponseWithHopByHopHeadersStrippedAndRequestIdAdded() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.clientSends("GET /v1/models HTTP/1.1\r\nHost: a\r\nX-Request-Id: client-42\r\n\r\n");
      assertThat(proxy.upstreamReceived()).contains("x-request-id: client-42\r\n");
      proxy.upstreamSends("HTTP/1.1 200 OK\r\n"
          + "Content-Type: application/json\r\n"
          + "Content-Length: 2\r\n"
          + "Connection: keep-alive, X-Internal\r\n"
          + "X-Internal: secret\r\n"
          + "Keep-Alive: timeout=5\r\n"
          + "X-Request-Id: req_upstream\r\n"
          + "\r\n{}");
      String received = proxy.clientReceived();
      assertThat(received).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\n{}");
      assertThat(received.toLowerCase())
          .contains("x-request-id: client-42\r\n")
          .contains("x-upstream-request-id: req_upstream\r\n")
          .contains("via: 1.1 spillway\r\n")
          .doesNotContain("x-internal")
          .doesNotContain("keep-alive")
          .doesNotContain("connection:");
      assertThat(proxy.client.isOpen()).isTrue();
    }
  }

  @Test
  void rechunksChunkedResponseForHttp11Client() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.clientSends("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
      proxy.upstreamReceived();
      proxy.upstreamSends("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
      String received = proxy.clientReceived();
      assertThat(received.toLowerCase()).contains("transfer-encoding: chunked\r\n");
      assertThat(received).endsWith("\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
    }
  }

  @Test
  void streamsChunkedRequestBodyUpstream() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.clientSends("POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
          + "3\r\nabc\r\n");
      String first = proxy.upstreamReceived();
      assertThat(first.toLowerCase()).contains("transfer-encoding: chunked\r\n");
      assertThat(first).endsWith("\r\n\r\n3\r\nabc\r\n");
      proxy.clientSends("2\r\nde\r\n0\r\n\r\n");
      assertThat(proxy.upstreamReceived()).isEqualTo("2\r\nde\r\n0\r\n\r\n");
    }
  }

  @Test
  void sendsEachSseEventToTheClientAsItArrives() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.clientSends("POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}");
      proxy.upstreamReceived();
      proxy.upstreamSends("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
      assertThat(proxy.clientReceived()).as("a replayable stream is held until its first event").isEmpty();
      proxy.upstreamSends("e\r\ndata: token1\n\n\r\n");
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 200 OK").endsWith("\r\n\r\ne\r\ndata: token1\n\n\r\n");
      proxy.upstreamSends("e\r\ndata: [DONE]\n\n\r\n0\r\n\r\n");
      assertThat(proxy.clientReceived()).isEqualTo("e\r\ndata: [DONE]\n\n\r\n0\r\n\r\n");
    }
  }

  @Test
  void reusesBackendConnectionForTheNextRequest() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      for (int i = 0; i < 3; i++) {
        proxy.clientSends("GET /r" + i + " HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(proxy.upstreamReceived()).startsWith("GET /r" + i + " ");
        proxy.upstreamSends("HTTP/1.1 204 No Content\r\n\r\n");
        assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 204");
      }
      assertThat(proxy.upstreams).hasSize(1);
      assertThat(proxy.released).isEqualTo(3);
    }
  }

  @Test
  void answersPipelinedRequestsInOrder() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.clientSends("GET /first HTTP/1.1\r\nHost: a\r\n\r\nGET /second HTTP/1.1\r\nHost: a\r\n\r\n");
      assertThat(proxy.upstreamReceived()).startsWith("GET /first ").doesNotContain("/second");
      proxy.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1");
      assertThat(proxy.clientReceived()).endsWith("\r\n\r\n1");
      assertThat(proxy.upstreamReceived()).startsWith("GET /second ");
      proxy.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2");
      assertThat(proxy.clientReceived()).endsWith("\r\n\r\n2");
    }
  }

  @Test
  void closesConnectionAfterResponseWhenClientAsksForClose() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.clientSends("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
      proxy.upstreamReceived();
      proxy.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
      assertThat(proxy.clientReceived().toLowerCase()).contains("connection: close\r\n");
      assertThat(proxy.client.isOpen()).isFalse();
    }
  }

  @Test
  void delimitsByCloseForHttp10ClientWithoutContentLength() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.clientSends("GET / HTTP/1.0\r\n\r\n");
      proxy.upstreamReceived();
      proxy.upstreamSends("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
      String received = proxy.clientReceived();
      assertThat(received).startsWith("HTTP/1.0 200 OK\r\n").endsWith("\r\n\r\nabc");
      assertThat(received.toLowerCase()).contains("connection: close").doesNotContain("transfer-encoding");
      assertThat(proxy.client.isOpen()).isFalse();
    }
  }

  @Test
  void answersExpectContinueBeforeForwarding() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.clientSends("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
      assertThat(proxy.clientReceived()).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
      proxy.clientSends("abc");
      assertThat(proxy.upstreamReceived()).doesNotContainIgnoringCase("expect").endsWith("\r\n\r\nabc");
    }
  }

  @Test
  void routesByHostAndPathPrefixFirstMatchWins() {
    BackendConfig chat = backend("chat", "10.0.0.1");
    BackendConfig other = backend("other", "10.0.0.2");
    List<RouteConfig> routes = List.of(
        new RouteConfig("chat", new RouteMatch("api.example.com", "/v1/chat/"), "chat"),
        new RouteConfig("rest", new RouteMatch(null, "/v1/"), "other"));
    try (EmbeddedProxy proxy = new EmbeddedProxy(ServerConfig.DEFAULTS, routes, chat, other)) {
      proxy.clientSends("POST /v1/chat/completions HTTP/1.1\r\nHost: API.example.com:8080\r\nContent-Length: 0\r\n\r\n");
      assertThat(proxy.upstreamReceived()).contains("host: 10.0.0.1:8000");
      proxy.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
      proxy.clientReceived();

      proxy.clientSends("POST /v1/chat/completions HTTP/1.1\r\nHost: other.example.com\r\nContent-Length: 0\r\n\r\n");
      assertThat(proxy.upstreamReceived()).contains("host: 10.0.0.2:8000");
      proxy.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
      proxy.clientReceived();

      proxy.clientSends("GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n");
      String notFound = proxy.clientReceived();
      assertThat(notFound).startsWith("HTTP/1.1 404 Not Found").contains("\"code\":\"route_not_found\"");
      assertThat(proxy.client.isOpen()).as("a 404 without a body keeps the connection").isTrue();
    }
  }

  @Test
  void routesOnTheNormalizedPathAndForwardsIt() {
    List<RouteConfig> routes = List.of(new RouteConfig("v1", new RouteMatch(null, "/v1"), "chat"));
    try (EmbeddedProxy proxy = new EmbeddedProxy(ServerConfig.DEFAULTS, routes, backend("chat", "10.0.0.1"))) {
      proxy.clientSends("GET /v1x/models HTTP/1.1\r\nHost: a\r\n\r\n");
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 404 ");
      proxy.clientSends("GET /v1/../admin HTTP/1.1\r\nHost: a\r\n\r\n");
      assertThat(proxy.clientReceived()).as("climbs out of the route").startsWith("HTTP/1.1 404 ");
      proxy.clientSends("GET //v1/./x/%2e%2e/models?q=%2F HTTP/1.1\r\nHost: a\r\n\r\n");
      assertThat(proxy.upstreamReceived()).startsWith("GET /v1/models?q=%2F HTTP/1.1\r\n");
      proxy.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
      proxy.clientReceived();
      proxy.clientSends("GET /v1/x%2F..%2F..%2Fadmin HTTP/1.1\r\nHost: a\r\n\r\n");
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 400 ").contains("encoded slash");
      assertThat(proxy.upstreams).hasSize(1);
    }
  }

  private static BackendConfig backend(String name, String ip) {
    return BackendConfig.of(name, List.of(new EndpointAddress(ip, 8000)));
  }
}
