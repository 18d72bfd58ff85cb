package dev.spillway.server.warmup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.Http2Config;
import dev.spillway.core.config.ServerConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The warm-up on its own: it sends the requested count through the listener's pipeline and every request is
 * answered by the gateway itself, with the status its kind calls for, without asking for a backend
 * connection. Buffers are pooled and direct, so the paranoid leak detector fails a run that loses one.
 */
class WarmUpTest {
  @Test
  void answersEveryRequestWithTheStatusOfItsKindAndNeverConnects() {
    WarmUpResult result = WarmUp.run(ServerConfig.DEFAULTS, 800, WarmUpBudget.UNBOUNDED);

    assertThat(result.requests()).isEqualTo(800);
    Map<Integer, Integer> statuses = result.statuses();
    assertThat(statuses.keySet()).as("every request answered, by the gateway").containsOnly(503, 429, 404, 400);
    // 8 requests a round: 4 sheds, 2 rate limited, 1 unroutable, 1 malformed; the first rate-limited one
    // spends the route's one request an hour and is shed at the backend instead.
    assertThat(statuses.get(503)).isEqualTo(401);
    assertThat(statuses.get(429)).isEqualTo(199);
    assertThat(statuses.get(404)).isEqualTo(100);
    assertThat(statuses.get(400)).isEqualTo(100);
    assertThat(result.refusedConnections()).isZero();
  }

  @Test
  void runsThroughTheHttp2DetectorWhenHttp2IsOn() {
    ServerConfig server = ServerConfig.DEFAULTS;
    ServerConfig withHttp2 = new ServerConfig(server.host(), server.port(), server.clientTimeout(),
        server.maxInitialLineLength(), server.maxHeaderSize(), server.maxBodySize(), server.shutdownTimeout(),
        server.ioThreads(), server.nativeTransport(), server.maxHeaderCount(), server.forwardedHeaders(),
        server.exposeBackendHeader(), null, new Http2Config(true, Http2Config.DEFAULTS.maxConcurrentStreams(),
        Http2Config.DEFAULTS.maxResetsPerWindow(), Http2Config.DEFAULTS.resetWindow(),
        Http2Config.DEFAULTS.initialWindowSize()), server.shutdownDelay());

    WarmUpResult result = WarmUp.run(withHttp2, 80, WarmUpBudget.UNBOUNDED);

    assertThat(result.statuses()).containsOnlyKeys(503, 429, 404, 400);
    assertThat(result.statuses().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(80);
  }

  @Test
  void stopsWhenItsTimeBudgetIsSpent() {
    WarmUpResult result = WarmUp.run(ServerConfig.DEFAULTS, 800, new WarmUpBudget(0, 0));

    assertThat(result.requests()).isZero();
    assertThat(result.statuses()).isEmpty();
  }

  @Test
  void zeroRequestsRunNothing() {
    assertThat(WarmUp.run(ServerConfig.DEFAULTS, 0)).isEqualTo(WarmUpResult.NONE);
  }

  @Test
  void readsTheStatusOfAResponseHead() {
    assertThat(statusOf("HTTP/1.1 503 Service Unavailable\r\n")).isEqualTo(503);
    assertThat(statusOf("HTTP/1.1")).isZero();
    assertThat(statusOf("garbage-garbage")).isZero();
  }

  private static int statusOf(String text) {
    ByteBuf buf = Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
    try {
      return WarmUp.statusOf(buf);
    } finally {
      buf.release();
    }
  }
}
