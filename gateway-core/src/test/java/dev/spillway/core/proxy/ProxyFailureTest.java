package dev.spillway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.ServerConfig;
import dev.spillway.core.upstream.PoolExhaustedException;
import io.netty.channel.ConnectTimeoutException;
import java.net.ConnectException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** What clients see when a request is malformed, too big, or its backend fails or stalls. */
class ProxyFailureTest {

  @ParameterizedTest
  @ValueSource(strings = {
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc",
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\nabc",
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\nabc",
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      "GET / HTTP/1.1\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n",
      "GET nonsense HTTP/1.1\r\nHost: a\r\n\r\n",
  })
  void rejectsAmbiguousOrMalformedRequestsWith400AndCloses(String raw) {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.clientSends(raw);
      String received = proxy.clientReceived();
      assertThat(received).startsWith("HTTP/1.1 400 Bad Request\r\n");
      assertThat(received).contains("\"type\":\"invalid_request_error\"");
      assertThat(received.toLowerCase()).contains("connection: close");
      assertThat(proxy.upstreams).as("nothing reaches a backend").isEmpty();
      assertThat(proxy.client.isOpen()).isFalse();
    }
  }

  @Test
  void rejectsLongRequestLineWith414() {
    ServerConfig server = small(64 * 1024);
    try (EmbeddedProxy proxy = new EmbeddedProxy(server, EmbeddedProxy.backend("b"))) {
      proxy.clientSends("GET /" + "a".repeat(600) + " HTTP/1.1\r\nHost: a\r\n\r\n");
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 414 ");
      assertThat(proxy.client.isOpen()).isFalse();
    }
  }

  @Test
  void rejectsLargeHeadersWith431() {
    ServerConfig server = small(64 * 1024);
    try (EmbeddedProxy proxy = new EmbeddedProxy(server, EmbeddedProxy.backend("b"))) {
      proxy.clientSends("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + "b".repeat(2000) + "\r\n\r\n");
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 431 ");
      assertThat(proxy.client.isOpen()).isFalse();
    }
  }

  @Test
  void rejectsDeclaredOversizedBodyWith413BeforeContactingBackend() {
    try (EmbeddedProxy proxy = new EmbeddedProxy(small(100), EmbeddedProxy.backend("b"))) {
      proxy.clientSends("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 101\r\n\r\n");
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 413 ").contains("request_too_large");
      assertThat(proxy.upstreams).isEmpty();
      assertThat(proxy.client.isOpen()).isFalse();
    }
  }

  @Test
  void rejectsChunkedBodyThatGrowsPastTheLimitWith413AndDropsTheBackendRequest() {
    try (EmbeddedProxy proxy = new EmbeddedProxy(small(100), EmbeddedProxy.backend("b"))) {
      proxy.clientSends("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n32\r\n" + "x".repeat(50) + "\r\n");
      proxy.upstreamReceived();
      proxy.clientSends("3c\r\n" + "y".repeat(60) + "\r\n");
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 413 ");
      assertThat(proxy.upstream().isOpen()).as("half-sent backend request is abandoned").isFalse();
      assertThat(proxy.client.isOpen()).isFalse();
    }
  }

  @Test
  void mapsRefusedConnectionTo502() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.connectFailure = new ConnectException("Connection refused");
      proxy.clientSends("GET / HTTP/1.1\r\nHost: a\r\nX-Request-Id: r1\r\n\r\n");
      String received = proxy.clientReceived();
      assertThat(received).startsWith("HTTP/1.1 502 Bad Gateway\r\n")
          .contains("x-request-id: r1")
          .endsWith("{\"error\":{\"message\":\"The gateway could not connect to the backend.\","
              + "\"type\":\"server_error\",\"param\":null,\"code\":\"upstream_connect_error\"}}\n");
      assertThat(proxy.client.isOpen()).as("the client connection is fine").isTrue();
    }
  }

  @Test
  void mapsConnectTimeoutTo504() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.connectFailure = new ConnectTimeoutException("connection timed out");
      proxy.clientSends("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 504 ").contains("upstream_timeout");
    }
  }

  @Test
  void coolsAnEndpointDownForItsRetryAfterAndAnswers503UntilThen() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.clientSends("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
      proxy.upstreamReceived();
      proxy.upstreamSends("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 2\r\nContent-Length: 0\r\n\r\n");
      assertThat(proxy.clientReceived()).as("the backend's own answer is relayed").startsWith("HTTP/1.1 429 ");
      proxy.clientSends("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
      assertThat(proxy.clientReceived()).as("the only endpoint cools down for 2 s")
          .startsWith("HTTP/1.1 503 ").contains("no_available_backend");
      proxy.advance(2, TimeUnit.SECONDS);
      proxy.clientSends("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
      assertThat(proxy.upstreamReceived()).as("back in rotation after the cooldown").startsWith("GET / ");
    }
  }

  @Test
  void namesTheEndpointThatServedTheResponseWhenConfigured() {
    ServerConfig exposing = ServerConfig.DEFAULTS.withHeaderHygiene(ServerConfig.DEFAULT_MAX_HEADER_COUNT,
        dev.spillway.core.config.ForwardedHeadersConfig.DEFAULTS, true);
    try (EmbeddedProxy proxy = new EmbeddedProxy(exposing, EmbeddedProxy.backend("primary"))) {
      proxy.clientSends("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
      proxy.upstreamReceived();
      proxy.upstreamSends("HTTP/1.1 204 No Content\r\n\r\n");
      assertThat(proxy.clientReceived()).contains("x-spillway-backend: primary/10.0.0.11:8000\r\n");
    }
  }

  @Test
  void namesNoBackendToClientsByDefault() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.clientSends("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
      proxy.upstreamReceived();
      proxy.upstreamSends("HTTP/1.1 204 No Content\r\nX-Spillway-Backend: inner/10.9.9.9:1\r\n\r\n");
      assertThat(proxy.clientReceived().toLowerCase()).doesNotContain("x-spillway-backend").doesNotContain("10.");
    }
  }

  @Test
  void mapsExhaustedPoolTo503() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.connectFailure = PoolExhaustedException.INSTANCE;
      proxy.clientSends("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 503 ").contains("upstream_overflow");
    }
  }

  @Test
  void mapsResetBeforeResponseTo502AndNeverPoolsTheConnection() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.clientSends("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
      proxy.upstreamReceived();
      proxy.upstream().close();
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 502 ").contains("upstream_reset");
      assertThat(proxy.released).isZero();
    }
  }

  @Test
  void mapsGarbageResponseTo502() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.clientSends("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
      proxy.upstreamReceived();
      proxy.upstreamSends("SSH-2.0-OpenSSH_9.2\r\n\r\n");
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 502 ").contains("upstream_protocol_error");
      assertThat(proxy.upstream().isOpen()).isFalse();
    }
  }

  @Test
  void endsBrokenEventStreamWithAnErrorEventAndCloses() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.clientSends("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n");
      proxy.upstreamReceived();
      proxy.upstreamSends("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
          + "d\r\ndata: hello\n\n\r\n");
      proxy.clientReceived();
      proxy.upstream().close();
      String tail = proxy.clientReceived();
      assertThat(tail).contains("data: {\"error\":{").contains("upstream_reset").doesNotEndWith("0\r\n\r\n");
      assertThat(proxy.client.isOpen()).isFalse();
    }
  }

  @Test
  void closesClientWithoutFinalChunkWhenPlainResponseBreaks() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.clientSends("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
      proxy.upstreamReceived();
      proxy.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
      proxy.upstream().close();
      assertThat(proxy.clientReceived()).endsWith("\r\n\r\nabc");
      assertThat(proxy.client.isOpen()).as("a short body plus a close tells the client it was cut").isFalse();
    }
  }

  @Test
  void timesOutWaitingForResponseHeadWith504() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.clientSends("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
      proxy.upstreamReceived();
      proxy.advance(59, TimeUnit.SECONDS);
      assertThat(proxy.clientReceived()).isEmpty();
      proxy.advance(2, TimeUnit.SECONDS);
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 504 ").contains("did not start its response");
      assertThat(proxy.upstream().isOpen()).isFalse();
    }
  }

  @Test
  void endsStreamWhenBackendFallsSilentBetweenEvents() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.clientSends("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n");
      proxy.upstreamReceived();
      proxy.upstreamSends("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
      proxy.clientReceived();
      for (int i = 0; i < 5; i++) {
        proxy.advance(50, TimeUnit.SECONDS);
        proxy.upstreamSends("9\r\ndata: x\n\n\r\n");
      }
      assertThat(proxy.client.isOpen()).as("events every 50s: a stream is judged by stream.idleTimeout (60s), "
          + "not the backend's 30s").isTrue();
      proxy.clientReceived();
      proxy.advance(61, TimeUnit.SECONDS);
      assertThat(proxy.clientReceived()).contains("data: {\"error\":").contains("stopped sending data");
      assertThat(proxy.client.isOpen()).isFalse();
      assertThat(proxy.upstream().isOpen()).isFalse();
    }
  }

  @Test
  void enforcesTotalRequestTimeoutEvenOnAChattyStream() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.clientSends("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
      proxy.upstreamReceived();
      proxy.upstreamSends("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
      for (int i = 0; i < 20; i++) {
        proxy.advance(30 - 1, TimeUnit.SECONDS);
        proxy.upstreamSends("9\r\ndata: x\n\n\r\n");
      }
      assertThat(proxy.client.isOpen()).as("10 minutes not yet over").isTrue();
      proxy.advance(25, TimeUnit.SECONDS); // 605s: past the total, within the idle timeout
      assertThat(proxy.clientReceived()).contains("exceeded its total time limit");
      assertThat(proxy.client.isOpen()).isFalse();
    }
  }

  @Test
  void clientHangingUpMidStreamClosesTheBackendConnection() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.clientSends("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n");
      proxy.upstreamReceived();
      proxy.upstreamSends("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
      proxy.client.close();
      assertThat(proxy.upstream().isOpen()).isFalse();
      assertThat(proxy.released).isZero();
      assertThat(proxy.context.activeExchanges()).isZero();
    }
  }

  @Test
  void clientHangingUpMidUploadClosesTheBackendConnection() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withoutRetries()) {
      proxy.clientSends("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nabc");
      proxy.upstreamReceived();
      proxy.client.close();
      assertThat(proxy.upstream().isOpen()).isFalse();
    }
  }

  @Test
  void clientLeavingWhileConnectingReturnsTheFreshConnectionUnused() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.deferConnect = true;
      proxy.clientSends("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc");
      proxy.client.close();
      proxy.completeConnect();
      assertThat(proxy.released).isEqualTo(1);
      assertThat(proxy.upstreamReceived()).isEmpty();
    }
  }

  @Test
  void bodyArrivingWhileConnectingIsForwardedOnceConnected() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.deferConnect = true;
      proxy.clientSends("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\n\r\nabc");
      proxy.clientSends("def");
      proxy.completeConnect();
      assertThat(proxy.upstreamReceived()).endsWith("\r\n\r\nabcdef");
    }
  }

  @Test
  void closesIdleKeepAliveConnectionAfterClientTimeout() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.advance(29, TimeUnit.SECONDS);
      assertThat(proxy.client.isOpen()).isTrue();
      proxy.advance(2, TimeUnit.SECONDS);
      assertThat(proxy.client.isOpen()).isFalse();
    }
  }

  @Test
  void answers408WhenClientStallsMidBody() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withoutRetries()) {
      proxy.clientSends("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc");
      proxy.upstreamReceived();
      proxy.advance(31, TimeUnit.SECONDS);
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 408 ");
      assertThat(proxy.client.isOpen()).isFalse();
      assertThat(proxy.upstream().isOpen()).isFalse();
    }
  }

  @Test
  void slowBackendDoesNotCountAgainstTheClientTimeout() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.clientSends("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
      proxy.upstreamReceived();
      proxy.advance(45, TimeUnit.SECONDS);
      proxy.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 200 ");
      assertThat(proxy.client.isOpen()).isTrue();
    }
  }

  @Test
  void drainingClosesIdleConnectionsAndMarksTheLastResponse() {
    try (EmbeddedProxy proxy = EmbeddedProxy.withDefaults()) {
      proxy.clientSends("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
      proxy.upstreamReceived();
      proxy.context.startDraining();
      proxy.client.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE);
      assertThat(proxy.client.isOpen()).as("busy connections finish their request").isTrue();
      proxy.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
      assertThat(proxy.clientReceived().toLowerCase()).contains("connection: close");
      assertThat(proxy.client.isOpen()).isFalse();
    }
  }

  private static ServerConfig small(long maxBody) {
    ServerConfig d = ServerConfig.DEFAULTS;
    return new ServerConfig(d.host(), d.port(), d.clientTimeout(), 512, 1024, maxBody, d.shutdownTimeout(),
        d.ioThreads(), d.nativeTransport());
  }
}
