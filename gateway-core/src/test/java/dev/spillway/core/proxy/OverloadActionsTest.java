package dev.spillway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.EndpointAddress;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.config.OverloadConfig;
import dev.spillway.core.config.RouteConfig;
import dev.spillway.core.config.RouteMatch;
import dev.spillway.core.config.ServerConfig;
import dev.spillway.core.overload.FakeMemory;
import dev.spillway.core.overload.OverloadManager;
import dev.spillway.core.time.Ticker;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What clients see while the overload manager acts (pressure driven by a fake memory source). */
class OverloadActionsTest {
  private static final String GET = "GET /v1/models HTTP/1.1\r\nHost: a\r\n\r\n";
  private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
  private final FakeMemory memory = new FakeMemory();
  private final OverloadManager overload = new OverloadManager(OverloadConfig.DEFAULTS, memory, Ticker.system());

  private EmbeddedProxy proxy() {
    BackendConfig backend = BackendConfig.of("b", List.of(new EndpointAddress("10.0.0.1", 8000)));
    return new EmbeddedProxy(new GatewayConfig(ServerConfig.DEFAULTS, Map.of("b", backend),
        List.of(new RouteConfig("all", new RouteMatch(null, "/"), "b"))), overload);
  }

  private void pressure(double heap) {
    memory.at(heap, 0);
    overload.sample();
  }

  @Test
  void underNoPressureConnectionsAreKept() {
    try (EmbeddedProxy proxy = proxy()) {
      proxy.clientSends(GET);
      proxy.upstreamReceived();
      proxy.upstreamSends(OK);
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 200 ").doesNotContainIgnoringCase("connection: close");
      assertThat(proxy.client.isOpen()).isTrue();
    }
  }

  @Test
  void keepAliveOffClosesEachConnectionAfterItsAnswer() {
    try (EmbeddedProxy proxy = proxy()) {
      pressure(0.81);
      proxy.clientSends(GET);
      proxy.upstreamReceived();
      proxy.upstreamSends(OK);
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 200 ").containsIgnoringCase("connection: close");
      assertThat(proxy.client.isOpen()).isFalse();
    }
  }

  /**
   * Pressure that comes while an answer is under way: its head already promised the client the connection,
   * so the connection stays for the next request, whose answer closes it. Closed right after the answer, as
   * it was, a client that sends its next request at once on a connection it was told it may keep sees that
   * request fail with no answer at all.
   */
  @Test
  void keepAliveOffDuringAnAnswerClosesAfterTheNextOneNotThisOne() {
    try (EmbeddedProxy proxy = proxy()) {
      proxy.clientSends(GET);
      proxy.upstreamReceived();
      proxy.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{");
      pressure(0.81);
      proxy.upstreamSends("}");
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 200 ").doesNotContainIgnoringCase("connection: close");
      assertThat(proxy.client.isOpen()).as("kept, as the answer's head said").isTrue();

      proxy.clientSends(GET);
      proxy.upstreamReceived();
      proxy.upstreamSends(OK);
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 200 ").containsIgnoringCase("connection: close");
      assertThat(proxy.client.isOpen()).isFalse();
    }
  }

  @Test
  void shortenedTimeoutsCloseIdleClientsSooner() {
    try (EmbeddedProxy proxy = proxy()) {
      proxy.advance(5, TimeUnit.SECONDS);
      assertThat(proxy.client.isOpen()).as("30 s client timeout").isTrue();
      pressure(0.86);
      proxy.advance(2, TimeUnit.SECONDS);
      assertThat(proxy.client.isOpen()).as("2 s while memory is short").isFalse();
    }
  }

  @Test
  void stopAcceptingAnswersNewRequestsWith503AndLetsAdmittedOnesFinish() {
    try (EmbeddedProxy proxy = proxy()) {
      EmbeddedProxy.send(proxy.client, GET);
      proxy.upstreamReceived();
      var second = proxy.newClient();
      pressure(0.96);
      EmbeddedProxy.send(second, GET);
      String shed = EmbeddedProxy.drain(second);
      assertThat(shed).startsWith("HTTP/1.1 503 Service Unavailable\r\n").containsIgnoringCase("retry-after: 1")
          .containsIgnoringCase("connection: close").contains("\"code\":\"gateway_overloaded\"")
          .contains("\"type\":\"server_error\"");
      assertThat(second.isOpen()).isFalse();
      assertThat(overload.rejectedRequests()).isEqualTo(1);

      proxy.upstreamSends(OK);
      assertThat(proxy.clientReceived()).as("the admitted request is still served").startsWith("HTTP/1.1 200 ");
      assertThat(proxy.upstreams).hasSize(1);

      pressure(0.5);
      var third = proxy.newClient();
      EmbeddedProxy.send(third, GET);
      assertThat(proxy.upstreams.size() + proxy.released).as("accepted again").isGreaterThanOrEqualTo(1);
      assertThat(EmbeddedProxy.drain(third)).doesNotContain("503");
    }
  }
}
