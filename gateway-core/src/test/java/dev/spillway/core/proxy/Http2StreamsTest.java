package dev.spillway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.ForwardedHeadersConfig;
import dev.spillway.core.config.Http2Config;
import dev.spillway.core.config.ServerConfig;
import dev.spillway.testing.LeakFailingExtension;
import io.netty.handler.codec.http2.Http2Error;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HTTP/2 streams through the real pipeline on {@link EmbeddedChannel}s: each stream is one exchange, and the
 * connection-level caps (concurrent streams, resets, header counts) hold.
 */
class Http2StreamsTest {
  private static final String BODY = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  @BeforeEach
  @AfterEach
  void noLeaks() {
    assertThat(LeakFailingExtension.collect()).as("ByteBuf leaks").isEmpty();
  }

  private static EmbeddedProxy proxy(Http2Config http2) {
    return new EmbeddedProxy(ServerConfig.DEFAULTS.withHttp2(http2), EmbeddedProxy.backend("primary"));
  }

  @Test
  void aStreamIsOneExchangeWithAuthorityAsHost() {
    try (EmbeddedProxy proxy = proxy(Http2Config.DEFAULTS); Http2Link link = new Http2Link(proxy)) {
      Http2Link.Stream stream = link.open(Http2Link.get("/v1/models"), true);
      link.pump();

      String upstream = proxy.upstreamReceived();
      assertThat(upstream).startsWith("GET /v1/models HTTP/1.1\r\n").contains("x-forwarded-host: gw.example")
          .doesNotContainIgnoringCase("x-http2-");
      proxy.upstreamSends("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n"
          + "{\"data\":[]}");
      link.pump();

      assertThat(stream.status()).isEqualTo("200");
      assertThat(stream.body.toString()).isEqualTo("{\"data\":[]}");
      assertThat(stream.ended).isTrue();
      assertThat(stream.responseHeaders.contains("connection")).isFalse();
      assertThat(proxy.context.activeExchanges()).isZero();
      assertThat(proxy.released).as("backend connection back in the pool").isEqualTo(1);
    }
  }

  @Test
  void aRequestBodyStreamsUpAndTheResponseStreamsDown() {
    try (EmbeddedProxy proxy = proxy(Http2Config.DEFAULTS); Http2Link link = new Http2Link(proxy)) {
      Http2Link.Stream stream = link.open(Http2Link.post("/v1/chat/completions"), false);
      stream.sendData(BODY.substring(0, 10), false);
      stream.sendData(BODY.substring(10), true);
      link.pump();

      assertThat(proxy.upstreamReceived()).startsWith("POST /v1/chat/completions HTTP/1.1\r\n")
          .contains("transfer-encoding: chunked").contains("\r\na\r\n" + BODY.substring(0, 10) + "\r\n")
          .endsWith(BODY.substring(10) + "\r\n0\r\n\r\n");
      proxy.upstreamSends("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
          + "f\r\ndata: {\"a\":1}\n\n\r\n");
      link.pump();
      assertThat(stream.status()).isEqualTo("200");
      assertThat(stream.body.toString()).isEqualTo("data: {\"a\":1}\n\n");
      assertThat(stream.ended).as("stream still open while the backend streams").isFalse();

      proxy.upstreamSends("f\r\ndata: {\"a\":2}\n\n\r\n0\r\n\r\n");
      link.pump();
      assertThat(stream.body.toString()).endsWith("data: {\"a\":2}\n\n");
      assertThat(stream.ended).isTrue();
    }
  }

  @Test
  void aClientResetCancelsTheExchangeAndReleasesEverything() {
    try (EmbeddedProxy proxy = proxy(Http2Config.DEFAULTS); Http2Link link = new Http2Link(proxy)) {
      Http2Link.Stream stream = link.open(Http2Link.post("/v1/chat/completions"), false);
      stream.sendData(BODY.substring(0, 10), false);
      link.pump();
      assertThat(proxy.context.activeExchanges()).isEqualTo(1);

      stream.reset();
      link.pump();

      assertThat(proxy.context.activeExchanges()).isZero();
      assertThat(proxy.upstream().isOpen()).as("the half-sent backend request is abandoned").isFalse();
      assertThat(proxy.released).isZero();
      assertThat(link.server.isOpen()).as("one reset does not end the connection").isTrue();
    }
  }

  @Test
  void resetsBeyondTheCapCloseTheConnectionWithEnhanceYourCalm() {
    int cap = 5;
    try (EmbeddedProxy proxy = proxy(Http2Config.DEFAULTS.withResetCap(cap, Duration.ofSeconds(30)));
        Http2Link link = new Http2Link(proxy)) {
      proxy.deferConnect = true; // backend connections take a while, as over a network
      link.pump();
      for (int i = 0; i < 4 * cap; i++) {
        Http2Link.Stream stream = link.open(Http2Link.post("/v1/chat/completions"), false);
        stream.reset();
      }
      link.pump();

      assertThat(link.goAways).containsExactly(Http2Error.ENHANCE_YOUR_CALM);
      assertThat(link.server.isOpen()).isFalse();
      assertThat(proxy.pendingAcquires.size()).as("backend connections asked for").isLessThanOrEqualTo(cap + 1);
      assertThat(proxy.context.activeExchanges()).isZero();
      assertThat(proxy.upstreams).as("nothing reached a backend").isEmpty();
    }
  }

  @Test
  void streamsBeyondMaxConcurrentStreamsAreRefused() {
    try (EmbeddedProxy proxy = proxy(Http2Config.DEFAULTS.withMaxConcurrentStreams(2));
        Http2Link link = new Http2Link(proxy)) {
      proxy.deferConnect = true;
      // Sent before the client has seen the gateway's SETTINGS, as a client ignoring them would.
      List<Http2Link.Stream> streams = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        streams.add(link.open(Http2Link.post("/v1/chat/completions"), false));
      }
      link.pumpClientToServer();
      link.pump();

      assertThat(streams.get(2).resetBy).isEqualTo(Http2Error.REFUSED_STREAM);
      assertThat(streams.get(0).resetBy).isNull();
      assertThat(streams.get(1).resetBy).isNull();
      assertThat(proxy.context.activeExchanges()).isEqualTo(2);
    }
  }

  @Test
  void moreHeaderFieldsThanTheLimitAre431() {
    ServerConfig server = ServerConfig.DEFAULTS.withHeaderHygiene(5, ForwardedHeadersConfig.DEFAULTS, false);
    try (EmbeddedProxy proxy = new EmbeddedProxy(server, EmbeddedProxy.backend("primary"));
        Http2Link link = new Http2Link(proxy)) {
      var headers = Http2Link.get("/v1/models");
      for (int i = 0; i < 10; i++) {
        headers.add("x-h" + i, "1");
      }
      Http2Link.Stream stream = link.open(headers, true);
      link.pump();

      assertThat(stream.status()).isEqualTo("431");
      assertThat(stream.body.toString()).contains("\"type\":\"invalid_request_error\"");
      assertThat(proxy.upstreams).isEmpty();
    }
  }

  @Test
  void aConnectionSpecificHeaderIsAProtocolError() {
    try (EmbeddedProxy proxy = proxy(Http2Config.DEFAULTS); Http2Link link = new Http2Link(proxy)) {
      Http2Link.Stream stream = link.open(Http2Link.get("/v1/models").add("transfer-encoding", "chunked"), true);
      link.pump();

      assertThat(stream.resetBy).isEqualTo(Http2Error.PROTOCOL_ERROR);
      assertThat(proxy.upstreams).isEmpty();
    }
  }

  @Test
  void drainSendsGoAwayAndClosesOnceTheStreamsAreAnswered() {
    try (EmbeddedProxy proxy = proxy(Http2Config.DEFAULTS); Http2Link link = new Http2Link(proxy)) {
      Http2Link.Stream stream = link.open(Http2Link.get("/v1/models"), true);
      link.pump();

      link.server.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE);
      link.pump();
      assertThat(link.goAways).containsExactly(Http2Error.NO_ERROR);
      assertThat(link.server.isOpen()).as("the stream in flight is still answered").isTrue();

      proxy.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
      link.pump();
      assertThat(stream.status()).isEqualTo("200");
      assertThat(stream.body.toString()).isEqualTo("ok");
      assertThat(link.server.isOpen()).isFalse();
    }
  }
}
