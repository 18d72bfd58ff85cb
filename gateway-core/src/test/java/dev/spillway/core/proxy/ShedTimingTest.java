package dev.spillway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.config.AdmissionConfig;
import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.BandwidthConfig;
import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.EndpointAddress;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.config.IdentityConfig;
import dev.spillway.core.config.LimitConfig;
import dev.spillway.core.config.LimitUnit;
import dev.spillway.core.config.LimiterCacheConfig;
import dev.spillway.core.config.PriorityClass;
import dev.spillway.core.config.RejectionConfig;
import dev.spillway.core.config.RouteConfig;
import dev.spillway.core.config.RouteMatch;
import dev.spillway.core.config.ServerConfig;
import dev.spillway.core.config.TierConfig;
import dev.spillway.core.config.TokenEstimationConfig;
import dev.spillway.core.config.WaitingRoomConfig;
import dev.spillway.core.observe.ExchangeRecord;
import dev.spillway.core.observe.GatewayObserver;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The gateway-side time of a shed answer: from the request head to the answer written and flushed, reported
 * once per shed with its reason, on the event loop's (fake) time.
 */
class ShedTimingTest {
  private static final String SMALL = "{\"model\":\"m\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  /** What the observer was told, in order. */
  private record Shed(ShedReason reason, long nanos) {}

  private final List<Shed> sheds = new ArrayList<>();
  private final List<ExchangeRecord> records = new ArrayList<>();
  private final GatewayObserver observer = new GatewayObserver() {
    @Override
    public void onExchange(ExchangeRecord record) {
      records.add(record);
    }

    @Override
    public void onShedAnswered(ShedReason reason, long nanos) {
      sheds.add(new Shed(reason, nanos));
    }
  };

  private static GatewayConfig config(List<LimitConfig> limits, ConcurrencyConfig concurrency,
      WaitingRoomConfig room) {
    TierConfig free = new TierConfig("free", PriorityClass.STANDARD, limits);
    AdmissionConfig admission = new AdmissionConfig(IdentityConfig.DEFAULTS, false, "free", List.of(),
        TokenEstimationConfig.DEFAULTS, RejectionConfig.DEFAULTS);
    BackendConfig backend = BackendConfig.of("b", List.of(new EndpointAddress("10.0.0.1", 8000)))
        .withConcurrency(concurrency, room);
    return new GatewayConfig(ServerConfig.DEFAULTS, Map.of("b", backend),
        List.of(new RouteConfig("chat", new RouteMatch(null, "/"), "b", admission)), Map.of("free", free),
        List.of(), LimiterCacheConfig.DEFAULTS);
  }

  private static String head(int contentLength) {
    return "POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer sk-x\r\n"
        + "Content-Type: application/json\r\nContent-Length: " + contentLength + "\r\n\r\n";
  }

  @Test
  void timesARateLimitShedFromTheHeadToTheWrittenAnswer() {
    LimitConfig tokens = new LimitConfig("tpm", LimitUnit.TOKENS, List.of(new BandwidthConfig(10,
        Duration.ofHours(1))), true);
    try (EmbeddedProxy proxy = new EmbeddedProxy(config(List.of(tokens), null, WaitingRoomConfig.DEFAULTS),
        observer)) {
      proxy.clientSends(head(SMALL.length()));
      assertThat(sheds).as("admission waits for the body to estimate its tokens").isEmpty();
      proxy.advance(7, TimeUnit.MILLISECONDS);
      proxy.clientSends(SMALL);
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 429 ");
      assertThat(sheds).containsExactly(new Shed(ShedReason.RATE_LIMITED_TOKENS, TimeUnit.MILLISECONDS.toNanos(7)));
      assertThat(records).singleElement().satisfies(r -> assertThat(r.shedReason())
          .isEqualTo(ShedReason.RATE_LIMITED_TOKENS));
    }
  }

  @Test
  void timesAnAtCapacityShedWithItsReason() {
    WaitingRoomConfig noRoom = new WaitingRoomConfig(0, Duration.ofSeconds(1), WaitingRoomConfig.defaultShares(),
        WaitingRoomConfig.DEFAULT_CODEL_TARGET, WaitingRoomConfig.DEFAULT_CODEL_INTERVAL);
    try (EmbeddedProxy proxy = new EmbeddedProxy(config(List.of(), ConcurrencyConfig.fixed(1), noRoom),
        observer)) {
      proxy.clientSends(head(SMALL.length()) + SMALL);
      assertThat(proxy.upstreams).hasSize(1);
      EmbeddedChannel second = proxy.newClient();
      EmbeddedProxy.send(second, head(SMALL.length()) + SMALL);
      assertThat(EmbeddedProxy.drain(second)).startsWith("HTTP/1.1 503 ");
      assertThat(sheds).as("answered on the head's own read, with time frozen")
          .containsExactly(new Shed(ShedReason.QUEUE_FULL, 0));
      proxy.upstreamReceived();
      proxy.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 200 ");
      assertThat(sheds).as("a served request is no shed").hasSize(1);
    }
  }

  @Test
  void timesNothingForAGatewayError() {
    try (EmbeddedProxy proxy = new EmbeddedProxy(config(List.of(), null, WaitingRoomConfig.DEFAULTS), observer)) {
      proxy.connectFailure = new java.net.ConnectException("refused");
      proxy.clientSends("GET /v1/models HTTP/1.1\r\nHost: a\r\n\r\n");
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 502 ");
      assertThat(sheds).isEmpty();
      assertThat(records).hasSize(1);
    }
  }
}
