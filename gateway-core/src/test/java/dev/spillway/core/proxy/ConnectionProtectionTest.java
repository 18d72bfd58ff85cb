package dev.spillway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.RouteConfig;
import dev.spillway.core.config.RouteMatch;
import dev.spillway.core.config.ServerConfig;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** A client cannot make one connection cost the gateway unbounded memory, stack or time. */
class ConnectionProtectionTest {
  private static final String NOT_FOUND = "GET /nowhere HTTP/1.1\r\nHost: a\r\n\r\n";

  /** Only {@code /v1} is routed, so anything else is answered by the gateway itself (404). */
  private static EmbeddedProxy proxy() {
    return proxy(ServerConfig.DEFAULTS);
  }

  private static EmbeddedProxy proxy(ServerConfig server) {
    return new EmbeddedProxy(server, List.of(new RouteConfig("v1", new RouteMatch(null, "/v1"), "primary")),
        EmbeddedProxy.backend("primary"));
  }

  private static int count(String haystack, String needle) {
    Matcher m = Pattern.compile(Pattern.quote(needle)).matcher(haystack);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  /** Makes the client connection look like its peer stopped reading (socket buffer full). */
  private static void clientReads(EmbeddedChannel client, boolean reading) {
    client.unsafe().outboundBuffer().setUserDefinedWritability(1, reading);
    client.runPendingTasks();
  }

  @Test
  void tenThousandPipelinedEarlyAnswersBehindAProxiedRequestNeitherOverflowTheStackNorQueueUnbounded() {
    try (EmbeddedProxy proxy = proxy()) {
      proxy.clientSends("GET /v1/models HTTP/1.1\r\nHost: a\r\n\r\n" + NOT_FOUND.repeat(10_000));
      assertThat(proxy.upstreamReceived()).startsWith("GET /v1/models ");
      assertThat(proxy.clientReceived()).isEmpty();
      assertThat(proxy.client.isOpen()).as("client open").isTrue();
      assertThat(proxy.upstream().isOpen()).as("upstream open").isTrue();
      proxy.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
      String received = proxy.clientReceived();
      assertThat(received).startsWith("HTTP/1.1 200 OK");
      int answers = count(received, "HTTP/1.1 404 ");
      assertThat(answers).as("pipelining depth is capped").isPositive()
          .isLessThanOrEqualTo(ClientConnectionHandler.MAX_PIPELINED_REQUESTS);
      assertThat(proxy.client.isOpen()).as("a client pipelining past the cap is cut off").isFalse();
      assertThat(proxy.context.activeExchanges()).isZero();
    }
  }

  @Test
  void aClientThatStopsReadingGetsNoMoreAnswersQueuedAndIsNotRead() {
    try (EmbeddedProxy proxy = proxy()) {
      clientReads(proxy.client, false);
      proxy.clientSends(NOT_FOUND.repeat(20));
      assertThat(proxy.clientReceived()).as("nothing is queued for a client that does not read").isEmpty();
      assertThat(proxy.client.isOpen()).isTrue();

      clientReads(proxy.client, true);
      assertThat(count(proxy.clientReceived(), "HTTP/1.1 404 ")).as("served once it reads again").isEqualTo(20);
      proxy.clientSends(NOT_FOUND);
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 404 ");
      assertThat(proxy.client.isOpen()).isTrue();
    }
  }

  @Test
  void earlyAnswersArePipelinedIterativelyWhenTheClientKeepsReading() {
    try (EmbeddedProxy proxy = proxy()) {
      proxy.clientSends(NOT_FOUND.repeat(10_000));
      assertThat(count(proxy.clientReceived(), "HTTP/1.1 404 ")).isEqualTo(10_000);
      assertThat(proxy.client.isOpen()).isTrue();
    }
  }

  @Test
  void aConnectionOwingABodyAfterAnEarlyAnswerIsClosedAfterTheDiscardTimeout() {
    ServerConfig server = ServerConfig.DEFAULTS;
    try (EmbeddedProxy proxy = proxy(server)) {
      proxy.clientSends("POST /nowhere HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n");
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 404 ");
      assertThat(proxy.client.isOpen()).as("the small body may still come").isTrue();
      proxy.advance(ClientConnectionHandler.DISCARD_TIMEOUT.toMillis() + 1, TimeUnit.MILLISECONDS);
      assertThat(proxy.client.isOpen()).as("it did not: the connection goes").isFalse();
    }
  }

  @Test
  void theDiscardTimeoutIsNoLongerThanTheClientTimeout() {
    ServerConfig server = new ServerConfig("127.0.0.1", 0, Duration.ofMillis(500), 8192, 16384, 1 << 20,
        Duration.ofSeconds(1), 1, false);
    try (EmbeddedProxy proxy = proxy(server)) {
      proxy.clientSends("POST /nowhere HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n");
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 404 ");
      proxy.advance(501, TimeUnit.MILLISECONDS);
      assertThat(proxy.client.isOpen()).isFalse();
    }
  }

  @Test
  void aBodyThatArrivesInTimeIsDiscardedAndTheConnectionKept() {
    try (EmbeddedProxy proxy = proxy()) {
      proxy.clientSends("POST /nowhere HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n");
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 404 ");
      proxy.advance(100, TimeUnit.MILLISECONDS);
      proxy.clientSends("0123456789" + NOT_FOUND);
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 404 ");
      proxy.advance(ClientConnectionHandler.DISCARD_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
      assertThat(proxy.client.isOpen()).as("the discard timer was cancelled").isTrue();
    }
  }

  @Test
  void drainClosesAConnectionThatStillOwesABody() {
    try (EmbeddedProxy proxy = proxy()) {
      proxy.clientSends("POST /nowhere HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n");
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 404 ");
      proxy.context.startDraining();
      proxy.client.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE);
      proxy.client.runPendingTasks();
      assertThat(proxy.client.isOpen()).isFalse();
    }
  }
}
