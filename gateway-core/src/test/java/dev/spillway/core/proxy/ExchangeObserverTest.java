package dev.spillway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.EndpointAddress;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.config.RouteConfig;
import dev.spillway.core.config.RouteMatch;
import dev.spillway.core.config.ServerConfig;
import dev.spillway.core.http.GatewayError;
import dev.spillway.core.observe.ExchangeRecord;
import dev.spillway.core.observe.Outcome;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Every request ends in exactly one record that says how it went. */
class ExchangeObserverTest {
  private final List<ExchangeRecord> records = new ArrayList<>();

  private EmbeddedProxy proxy() {
    BackendConfig b = BackendConfig.of("primary", List.of(new EndpointAddress("10.0.0.11", 8000)));
    GatewayConfig config = new GatewayConfig(ServerConfig.DEFAULTS, Map.of("primary", b),
        List.of(new RouteConfig("chat", new RouteMatch(null, "/v1/"), "primary")));
    return new EmbeddedProxy(config, records::add);
  }

  @Test
  void recordsAProxiedStreamWithItsBytesAndTimeToFirstByte() {
    try (EmbeddedProxy proxy = proxy()) {
      proxy.clientSends("POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nX-Request-Id: r1\r\nContent-Length: 2\r\n\r\n{}");
      proxy.upstreamReceived();
      proxy.advance(30, TimeUnit.MILLISECONDS);
      proxy.upstreamSends("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
          + "e\r\ndata: [DONE]\n\n\r\n0\r\n\r\n");
      assertThat(records).singleElement().satisfies(r -> {
        assertThat(r.requestId()).isEqualTo("r1");
        assertThat(r.route()).isEqualTo("chat");
        assertThat(r.backend()).isEqualTo("primary");
        assertThat(r.endpoint()).isEqualTo("http://10.0.0.11:8000");
        assertThat(r.outcome()).isEqualTo(Outcome.PROXIED);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.stream()).isTrue();
        assertThat(r.requestBytes()).isEqualTo(2);
        assertThat(r.responseBytes()).isEqualTo(14);
        assertThat(r.ttfbNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(30));
      });
    }
  }

  @Test
  void recordsGatewayErrorsAndClientDisconnects() {
    try (EmbeddedProxy proxy = proxy()) {
      proxy.clientSends("GET /nowhere HTTP/1.1\r\nHost: a\r\n\r\n");
      proxy.connectFailure = new ConnectException("refused");
      proxy.clientSends("GET /v1/models HTTP/1.1\r\nHost: a\r\n\r\n");
      proxy.clientSends("GET /v1/models HTTP/1.1\r\nHost: a\r\n\r\n");
      proxy.client.close();
      assertThat(records).extracting(ExchangeRecord::outcome).containsExactly(Outcome.GATEWAY_ERROR,
          Outcome.GATEWAY_ERROR, Outcome.CLIENT_CLOSED);
      assertThat(records.get(0).error()).isEqualTo(GatewayError.ROUTE_NOT_FOUND);
      assertThat(records.get(0).route()).isNull();
      assertThat(records.get(1).error()).isEqualTo(GatewayError.UPSTREAM_CONNECT_FAILED);
      assertThat(records.get(1).status()).isEqualTo(502);
    }
  }

  @Test
  void anObserverThatThrowsDoesNotBreakTheRequest() {
    BackendConfig b = BackendConfig.of("primary", List.of(new EndpointAddress("10.0.0.11", 8000)));
    GatewayConfig config = new GatewayConfig(ServerConfig.DEFAULTS, Map.of("primary", b),
        List.of(new RouteConfig("chat", new RouteMatch(null, "/"), "primary")));
    try (EmbeddedProxy proxy = new EmbeddedProxy(config, r -> {
      throw new IllegalStateException("observer bug");
    })) {
      proxy.clientSends("GET /v1/models HTTP/1.1\r\nHost: a\r\n\r\n");
      proxy.upstreamReceived();
      proxy.upstreamSends("HTTP/1.1 204 No Content\r\n\r\n");
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 204 ");
      proxy.clientSends("GET /v1/models HTTP/1.1\r\nHost: a\r\n\r\n");
      assertThat(proxy.upstreamReceived()).startsWith("GET ");
    }
  }
}
