package dev.spillway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.EndpointAddress;
import dev.spillway.core.config.RouteConfig;
import dev.spillway.core.config.RouteMatch;
import dev.spillway.core.config.ServerConfig;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One test per requirement of RFC 9110 §7 and RFC 9112 on what an intermediary forwards, both ways. */
class Rfc9110ForwardingTest {

  /** RFC 9110 §7.6.1: every field a Connection header names is removed before forwarding. */
  @ParameterizedTest
  @ValueSource(strings = {"Upgrade", "TE", "Keep-Alive", "Proxy-Authorization", "Proxy-Connection", "Trailer",
      "X-Hop", "Authorization", "Cookie"})
  void aFieldNamedByConnectionIsNotForwarded(String name) {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.clientSends("GET /v1/models HTTP/1.1\r\nHost: a\r\nConnection: " + name + "\r\n" + name
          + ": secret-value\r\n\r\n");
      String sent = proxy.upstreamReceived();
      assertThat(sent).startsWith("GET /v1/models HTTP/1.1\r\n").doesNotContain("secret-value");
      assertThat(sent.toLowerCase()).doesNotContain("connection:");
    }
  }

  /** RFC 9110 §7.6.1: the fixed hop-by-hop fields go even when Connection does not name them. */
  @Test
  void fixedHopByHopFieldsAreNotForwarded() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.clientSends("GET /v1/models HTTP/1.1\r\nHost: a\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\n"
          + "Upgrade: h2c\r\nProxy-Connection: keep-alive\r\nProxy-Authorization: Basic x\r\n\r\n");
      assertThat(proxy.upstreamReceived().toLowerCase()).doesNotContain("keep-alive").doesNotContain("te:")
          .doesNotContain("upgrade").doesNotContain("proxy-");
    }
  }

  /** RFC 9110 §7.6.1, response side. */
  @Test
  void responseHopByHopFieldsAreNotForwarded() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.clientSends("GET /v1/models HTTP/1.1\r\nHost: a\r\n\r\n");
      proxy.upstreamReceived();
      proxy.upstreamSends("HTTP/1.1 200 OK\r\nConnection: close, X-Backend-Hop\r\nX-Backend-Hop: 1\r\n"
          + "Keep-Alive: timeout=1\r\nProxy-Authenticate: Basic\r\nUpgrade: h2c\r\nContent-Length: 2\r\n\r\n{}");
      String received = proxy.clientReceived().toLowerCase();
      assertThat(received).doesNotContain("x-backend-hop").doesNotContain("keep-alive")
          .doesNotContain("proxy-authenticate").doesNotContain("upgrade").doesNotContain("connection: close");
      assertThat(proxy.client.isOpen()).as("the backend's close is about its own connection").isTrue();
    }
  }

  /** RFC 9110 §7.6.3: a proxy appends its Via entry, in both directions. */
  @Test
  void viaIsAppendedBothWays() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.clientSends("GET /v1/models HTTP/1.1\r\nHost: a\r\nVia: 1.1 edge\r\n\r\n");
      assertThat(proxy.upstreamReceived()).contains("via: 1.1 edge, 1.1 spillway\r\n");
      proxy.upstreamSends("HTTP/1.1 200 OK\r\nVia: 1.1 model-lb\r\nContent-Length: 0\r\n\r\n");
      assertThat(proxy.clientReceived()).contains("via: 1.1 model-lb, 1.1 spillway\r\n");
    }
  }

  /** RFC 9112 §3.2.2: a proxy accepts absolute-form, and its authority overrides Host. */
  @Test
  void absoluteFormIsRoutedByItsAuthorityAndSentInOriginForm() {
    BackendConfig chat = BackendConfig.of("chat", List.of(new EndpointAddress("10.0.0.1", 8000)));
    BackendConfig other = BackendConfig.of("other", List.of(new EndpointAddress("10.0.0.2", 8000)));
    List<RouteConfig> routes = List.of(new RouteConfig("api", new RouteMatch("api.example.com", "/"), "chat"),
        new RouteConfig("rest", new RouteMatch(null, "/"), "other"));
    try (EmbeddedProxy proxy = new EmbeddedProxy(ServerConfig.DEFAULTS, routes, chat, other)) {
      proxy.clientSends("GET http://api.example.com/v1/models?x=1 HTTP/1.1\r\nHost: other.example.com\r\n\r\n");
      String sent = proxy.upstreamReceived();
      assertThat(sent).startsWith("GET /v1/models?x=1 HTTP/1.1\r\n").contains("host: 10.0.0.1:8000\r\n")
          .contains("x-forwarded-host: api.example.com\r\n");
    }
  }

  /** RFC 9112 §3.2: Host is required in HTTP/1.1 only; a 1.0 request without it is forwarded as 1.1. */
  @Test
  void anHttp10RequestWithoutHostIsForwardedAsHttp11WithHost() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.clientSends("GET /v1/models HTTP/1.0\r\n\r\n");
      assertThat(proxy.upstreamReceived()).startsWith("GET /v1/models HTTP/1.1\r\n").contains("host: 10.0.0.11:8000");
    }
  }

  /** RFC 9110 §7.6.2: OPTIONS has Max-Forwards decremented on the way. */
  @Test
  void optionsHasMaxForwardsDecremented() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.clientSends("OPTIONS /v1/models HTTP/1.1\r\nHost: a\r\nMax-Forwards: 3\r\n\r\n");
      assertThat(proxy.upstreamReceived()).contains("max-forwards: 2\r\n");
    }
  }

  /** RFC 9110 §7.6.2: with Max-Forwards: 0 the gateway is the final recipient of an OPTIONS. */
  @Test
  void optionsWithMaxForwardsZeroIsAnsweredByTheGateway() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.clientSends("OPTIONS /v1/models HTTP/1.1\r\nHost: a\r\nMax-Forwards: 0\r\n\r\n");
      String received = proxy.clientReceived();
      assertThat(received).startsWith("HTTP/1.1 200 OK\r\n").contains("allow: GET, HEAD, POST");
      assertThat(proxy.upstreams).isEmpty();
      assertThat(proxy.client.isOpen()).isTrue();
    }
  }

  /** RFC 9110 §7.6.2: other methods ignore Max-Forwards. */
  @Test
  void otherMethodsIgnoreMaxForwards() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.clientSends("GET /v1/models HTTP/1.1\r\nHost: a\r\nMax-Forwards: 0\r\n\r\n");
      assertThat(proxy.upstreamReceived().toLowerCase()).contains("max-forwards: 0\r\n");
    }
  }

  /** TRACE is never forwarded (it would echo credentials to scripts); CONNECT is not a proxy tunnel here. */
  @ParameterizedTest
  @ValueSource(strings = {"TRACE /v1/models", "CONNECT api.example.com:443"})
  void traceAndConnectAre405(String line) {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.clientSends(line + " HTTP/1.1\r\nHost: a\r\n\r\n");
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 405 ");
      assertThat(proxy.upstreams).isEmpty();
    }
  }

  /**
   * RFC 9112 §6.3: a response with both Transfer-Encoding and Content-Length "ought to be handled as an error":
   * the gateway answers 502 and never forwards it.
   */
  @Test
  void aResponseWithBothFramingsIsA502() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withoutRetries()) {
      proxy.clientSends("GET /v1/models HTTP/1.1\r\nHost: a\r\n\r\n");
      proxy.upstreamReceived();
      proxy.upstreamSends("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 100\r\n\r\n"
          + "2\r\n{}\r\n0\r\n\r\n");
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 502 ").contains("upstream_protocol_error");
      assertThat(proxy.upstream().isOpen()).as("the connection is not pooled").isFalse();
    }
  }

  /** RFC 9112 §6.3: differing Content-Lengths from a backend are an error too. */
  @Test
  void aResponseWithDifferingContentLengthsIsA502() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withoutRetries()) {
      proxy.clientSends("GET /v1/models HTTP/1.1\r\nHost: a\r\n\r\n");
      proxy.upstreamReceived();
      proxy.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}x");
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 502 ");
    }
  }

  /** RFC 9110 §10.1.1: the gateway answers 100-continue itself, so Expect is not forwarded. */
  @Test
  void expectIsNotForwarded() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withoutRetries()) {
      proxy.clientSends("POST /v1/x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 100 Continue");
      proxy.clientSends("{}");
      assertThat(proxy.upstreamReceived().toLowerCase()).doesNotContain("expect").endsWith("\r\n\r\n{}");
    }
  }
}
