package dev.spillway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.EndpointAddress;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.config.RouteConfig;
import dev.spillway.core.config.RouteMatch;
import dev.spillway.core.config.ServerConfig;
import dev.spillway.testing.LeakFailingExtension;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every pooled buffer of the proxy path is released on the paths where that is easiest to forget: early answers
 * to a request whose body is still arriving, a failed attempt whose held body is replayed elsewhere, and a
 * client that hangs up mid-upload or mid-stream. Each test checks the leak detector on its own, so a leak
 * names its path.
 */
class BufferReleaseTest {
  private static final String BODY = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(4000)
      + "\"}]}";
  private static final String POST = "POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nContent-Type: application/json"
      + "\r\nContent-Length: " + BODY.length() + "\r\n\r\n";

  private static EmbeddedProxy twoEndpoints() {
    BackendConfig b = BackendConfig.of("primary", List.of(new EndpointAddress("10.0.0.1", 8000),
        new EndpointAddress("10.0.0.2", 8000)));
    return new EmbeddedProxy(new GatewayConfig(ServerConfig.DEFAULTS, Map.of("primary", b),
        List.of(new RouteConfig("chat", new RouteMatch(null, "/v1"), "primary"))));
  }

  @BeforeEach
  @AfterEach
  void noLeaks() {
    assertThat(LeakFailingExtension.collect()).as("ByteBuf leaks").isEmpty();
  }

  @Test
  void anEarlyAnswerReleasesTheBodyItDiscards() {
    try (EmbeddedProxy proxy = twoEndpoints()) {
      proxy.clientSends(POST.replace("/v1/chat/completions", "/nowhere") + BODY.substring(0, 100));
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 404 ");
      proxy.clientSends(BODY.substring(100));
      assertThat(proxy.client.isOpen()).isTrue();
    }
  }

  @Test
  void aFailedAttemptReleasesWhatItSentAndTheReplayReleasesItsHeldBody() {
    try (EmbeddedProxy proxy = twoEndpoints()) {
      proxy.clientSends(POST + BODY);
      proxy.upstreamReceived();
      proxy.upstreamSends("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbu");
      proxy.upstream().close(); // reset mid-answer
      proxy.advance(1, TimeUnit.SECONDS);
      assertThat(proxy.upstreams).hasSize(2);
      assertThat(proxy.upstreamReceived()).endsWith(BODY);
      proxy.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 200 ");
    }
  }

  @Test
  void aClientHangingUpMidUploadReleasesWhatIsHeld() {
    try (EmbeddedProxy proxy = twoEndpoints()) {
      proxy.clientSends(POST + BODY.substring(0, 2000));
      proxy.client.close();
      proxy.client.runPendingTasks();
      assertThat(proxy.context.activeExchanges()).isZero();
    }
  }

  @Test
  void aClientHangingUpMidStreamReleasesTheRestOfTheStream() {
    try (EmbeddedProxy proxy = twoEndpoints()) {
      proxy.clientSends(POST + BODY);
      proxy.upstreamReceived();
      proxy.upstreamSends("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
          + "14\r\ndata: {\"a\":\"bcdef\"}\n\n\r\n");
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 200 ");
      proxy.client.close();
      proxy.client.runPendingTasks();
      if (proxy.upstream().isOpen()) {
        proxy.upstreamSends("14\r\ndata: {\"a\":\"bcdef\"}\n\n\r\n");
      }
      assertThat(proxy.upstream().isOpen()).as("the backend request is cancelled").isFalse();
      assertThat(proxy.context.activeExchanges()).isZero();
    }
  }
}
