package dev.spillway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.AdmissionConfig;
import dev.spillway.core.config.ApiKeys;
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
import dev.spillway.core.config.TenantConfig;
import dev.spillway.core.config.TierConfig;
import dev.spillway.core.config.TokenEstimationConfig;
import dev.spillway.core.config.WaitingRoomConfig;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Admission control on the real pipeline: tenants, rate limits, token reserve/settle, the waiting room. */
class AdmissionFlowTest {
  private static final String KEY = "sk-acme-test";

  private static GatewayConfig config(List<LimitConfig> tierLimits, ConcurrencyConfig concurrency,
      WaitingRoomConfig room, boolean requireKnownKey) {
    TierConfig pro = new TierConfig("pro", PriorityClass.STANDARD, tierLimits);
    TierConfig free = new TierConfig("free", PriorityClass.SHEDDABLE, tierLimits);
    TenantConfig acme = new TenantConfig("acme", "pro", List.of(ApiKeys.sha256Hex(KEY)));
    AdmissionConfig admission = new AdmissionConfig(IdentityConfig.DEFAULTS, requireKnownKey, "free", List.of(),
        TokenEstimationConfig.DEFAULTS, RejectionConfig.DEFAULTS);
    BackendConfig backend = BackendConfig.of("b", List.of(new EndpointAddress("10.0.0.1", 8000)))
        .withConcurrency(concurrency, room);
    return new GatewayConfig(ServerConfig.DEFAULTS, Map.of("b", backend),
        List.of(new RouteConfig("chat", new RouteMatch(null, "/"), "b", admission)),
        Map.of("pro", pro, "free", free), List.of(acme), LimiterCacheConfig.DEFAULTS);
  }

  private static LimitConfig requests(long n, Duration per) {
    return new LimitConfig("rpm", LimitUnit.REQUESTS, List.of(new BandwidthConfig(n, per)), true);
  }

  private static LimitConfig tokens(long n, Duration per) {
    return new LimitConfig("tpm", LimitUnit.TOKENS, List.of(new BandwidthConfig(n, per)), true);
  }

  private static String chat(String body, String... extraHeaders) {
    return "POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " + KEY
        + "\r\nContent-Type: application/json\r\n" + String.join("", extraHeaders) + "Content-Length: "
        + body.length() + "\r\n\r\n" + body;
  }

  private static final String SMALL = "{\"model\":\"m\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  private static final String OK = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";

  @Test
  void rateLimitsRequestsWith429AndHeadersWithoutTouchingTheBackend() {
    try (EmbeddedProxy proxy = new EmbeddedProxy(config(List.of(requests(2, Duration.ofMinutes(1))), null,
        WaitingRoomConfig.DEFAULTS, false))) {
      for (int i = 0; i < 2; i++) {
        proxy.clientSends(chat(SMALL));
        proxy.upstreamReceived();
        proxy.upstreamSends(OK);
        String ok = proxy.clientReceived();
        assertThat(ok).startsWith("HTTP/1.1 200 ").contains("x-ratelimit-limit-requests: 2")
            .contains("x-ratelimit-remaining-requests: " + (1 - i));
      }
      proxy.clientSends(chat(SMALL));
      String rejected = proxy.clientReceived();
      assertThat(rejected).startsWith("HTTP/1.1 429 ").contains("\"code\":\"rate_limit_exceeded\"")
          .contains("\"type\":\"requests\"").contains("x-ratelimit-remaining-requests: 0")
          .containsPattern("(?i)retry-after: \\d+").contains("retry-after-ms:");
      assertThat(proxy.upstreams).hasSize(1);
      assertThat(proxy.upstreamReceived()).isEmpty();
      assertThat(proxy.client.isOpen()).as("a small rejected body is read and dropped; the connection stays")
          .isTrue();
    }
  }

  @Test
  void keepsTheConnectionWhenTheRejectedBodyArrivesAfterTheAnswer() {
    try (EmbeddedProxy proxy = new EmbeddedProxy(config(List.of(requests(1, Duration.ofMinutes(1))), null,
        WaitingRoomConfig.DEFAULTS, false))) {
      proxy.clientSends(chat(SMALL));
      proxy.upstreamReceived();
      proxy.upstreamSends(OK);
      proxy.clientReceived();
      String head = chat(SMALL);
      proxy.clientSends(head.substring(0, head.indexOf("\r\n\r\n") + 4));
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 429 ").doesNotContainIgnoringCase("connection: close");
      proxy.clientSends(SMALL);
      proxy.clientSends("GET /v1/models HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " + KEY + "\r\n\r\n");
      assertThat(proxy.clientReceived()).as("the body was dropped; the next request is parsed").startsWith("HTTP/1.1 429 ");
      assertThat(proxy.client.isOpen()).isTrue();
    }
  }

  @Test
  void refusesUnknownKeysWith401WhenTheRouteRequiresKnownKeys() {
    try (EmbeddedProxy proxy = new EmbeddedProxy(config(List.of(), null, WaitingRoomConfig.DEFAULTS, true))) {
      proxy.clientSends("GET /v1/models HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer sk-nobody\r\n\r\n");
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 401 ").contains("invalid_api_key");
      assertThat(proxy.upstreams).isEmpty();
    }
  }

  @Test
  void reservesTheTokenEstimateAndSettlesFromUsage() {
    try (EmbeddedProxy proxy = new EmbeddedProxy(config(List.of(tokens(1000, Duration.ofHours(1))), null,
        WaitingRoomConfig.DEFAULTS, false))) {
      proxy.clientSends(chat(SMALL));
      assertThat(proxy.upstreamReceived()).endsWith(SMALL);
      proxy.upstreamSends("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 69\r\n\r\n"
          + "{\"usage\":{\"prompt_tokens\":8,\"completion_tokens\":12,\"total_tokens\":20}}     ");
      assertThat(proxy.clientReceived()).contains("x-ratelimit-remaining-tokens: 900");
      // The 100 reserved were settled to the 20 used: 980 left, of which the next request reserves 100.
      proxy.clientSends(chat(SMALL));
      proxy.upstreamReceived();
      proxy.upstreamSends(OK);
      assertThat(proxy.clientReceived()).contains("x-ratelimit-remaining-tokens: 880");
    }
  }

  @Test
  void rejectsTokenEstimatesThatDoNotFitWith429Tokens() {
    try (EmbeddedProxy proxy = new EmbeddedProxy(config(List.of(tokens(150, Duration.ofHours(1))), null,
        WaitingRoomConfig.DEFAULTS, false))) {
      proxy.clientSends(chat(SMALL));
      proxy.upstreamReceived();
      proxy.upstreamSends(OK);
      proxy.clientReceived();
      proxy.clientSends(chat(SMALL));
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 429 ").contains("\"type\":\"tokens\"");
    }
  }

  @Test
  void asksStreamsForUsageAndHidesTheExtraChunk() {
    String body = "{\"model\":\"m\",\"stream\":true,\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    try (EmbeddedProxy proxy = new EmbeddedProxy(config(List.of(tokens(1000, Duration.ofHours(1))), null,
        WaitingRoomConfig.DEFAULTS, false))) {
      proxy.clientSends(chat(body));
      String sent = proxy.upstreamReceived();
      String forwardedBody = sent.substring(sent.indexOf("\r\n\r\n") + 4);
      assertThat(forwardedBody).contains("\"include_usage\":true");
      assertThat(sent).contains("content-length: " + forwardedBody.length());
      String usageEvent = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}\n\n";
      String tokenEvent = "data: {\"choices\":[{\"delta\":{\"content\":\"hey\"}}]}\n\n";
      proxy.upstreamSends("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
          + Integer.toHexString(tokenEvent.length()) + "\r\n" + tokenEvent + "\r\n"
          + Integer.toHexString(usageEvent.length()) + "\r\n" + usageEvent + "\r\n"
          + "e\r\ndata: [DONE]\n\n\r\n0\r\n\r\n");
      String received = proxy.clientReceived();
      assertThat(received).contains("\"hey\"").contains("data: [DONE]").doesNotContain("\"usage\"");
      proxy.clientSends(chat(SMALL));
      proxy.upstreamReceived();
      proxy.upstreamSends(OK);
      // 50 reserved, settled to 5; then 100 reserved: 1000 - 5 - 100.
      assertThat(proxy.clientReceived()).contains("x-ratelimit-remaining-tokens: 895");
    }
  }

  @Test
  void queuesPastTheConcurrencyLimitAndAdmitsWhenASlotFrees() {
    try (EmbeddedProxy proxy = new EmbeddedProxy(config(List.of(), ConcurrencyConfig.fixed(1),
        WaitingRoomConfig.DEFAULTS, false))) {
      proxy.clientSends(chat(SMALL));
      assertThat(proxy.upstreams).hasSize(1);
      EmbeddedChannel second = proxy.newClient();
      EmbeddedProxy.send(second, chat(SMALL));
      assertThat(proxy.upstreams).as("the second request waits").hasSize(1);
      proxy.upstreamReceived();
      proxy.upstreamSends(OK);
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 200 ");
      second.runPendingTasks();
      assertThat(proxy.upstreams).hasSize(1);
      assertThat(EmbeddedProxy.drain(proxy.upstreams.get(0))).as("the freed connection carries it")
          .startsWith("POST /v1/chat/completions");
      proxy.upstreamSends(OK);
      assertThat(EmbeddedProxy.drain(second)).startsWith("HTTP/1.1 200 ");
    }
  }

  @Test
  void shedsWith503WhenTheWaitingRoomIsFull() {
    WaitingRoomConfig noRoom = new WaitingRoomConfig(0, Duration.ofSeconds(1), WaitingRoomConfig.defaultShares(),
        WaitingRoomConfig.DEFAULT_CODEL_TARGET, WaitingRoomConfig.DEFAULT_CODEL_INTERVAL);
    java.util.List<dev.spillway.core.observe.ExchangeRecord> records = new java.util.ArrayList<>();
    try (EmbeddedProxy proxy = new EmbeddedProxy(config(List.of(), ConcurrencyConfig.fixed(1), noRoom, false),
        records::add)) {
      proxy.clientSends(chat(SMALL));
      EmbeddedChannel second = proxy.newClient();
      EmbeddedProxy.send(second, chat(SMALL));
      String shed = EmbeddedProxy.drain(second);
      assertThat(records).singleElement().satisfies(r -> {
        assertThat(r.outcome()).isEqualTo(dev.spillway.core.observe.Outcome.SHED);
        assertThat(r.shedReason()).isEqualTo(dev.spillway.core.admission.ShedReason.QUEUE_FULL);
        assertThat(r.status()).isEqualTo(503);
      });
      assertThat(shed).startsWith("HTTP/1.1 503 ").contains("\"type\":\"server_error\"")
          .contains("x-spillway-shed-reason: queue_full").containsPattern("(?i)retry-after: \\d+");
      assertThat(proxy.upstreams).hasSize(1);
    }
  }

  @Test
  void aQueuedRequestEndsAtTheBackendsTotalTimeout() {
    BackendConfig backend = new BackendConfig("b", List.of(new EndpointAddress("10.0.0.1", 8000)),
        BackendConfig.DEFAULT_CONNECT_TIMEOUT, BackendConfig.DEFAULT_RESPONSE_TIMEOUT,
        BackendConfig.DEFAULT_IDLE_TIMEOUT, Duration.ofSeconds(2), dev.spillway.core.config.PoolConfig.DEFAULTS,
        ConcurrencyConfig.fixed(1), new WaitingRoomConfig(8, Duration.ofSeconds(30),
            WaitingRoomConfig.defaultShares(), WaitingRoomConfig.DEFAULT_CODEL_TARGET,
            WaitingRoomConfig.DEFAULT_CODEL_INTERVAL));
    GatewayConfig config = new GatewayConfig(ServerConfig.DEFAULTS, Map.of("b", backend),
        List.of(new RouteConfig("chat", new RouteMatch(null, "/"), "b")));
    try (EmbeddedProxy proxy = new EmbeddedProxy(config)) {
      proxy.clientSends(chat(SMALL));
      assertThat(proxy.upstreams).hasSize(1);
      EmbeddedChannel second = proxy.newClient();
      EmbeddedProxy.send(second, chat(SMALL));
      assertThat(EmbeddedProxy.drain(second)).as("waiting for the slot").isEmpty();
      second.advanceTimeBy(2100, java.util.concurrent.TimeUnit.MILLISECONDS);
      assertThat(EmbeddedProxy.drain(second)).as("the total runs while it waits").startsWith("HTTP/1.1 504 ");
    }
  }

  @Test
  void aQueuedClientThatLeavesGivesUpItsPlace() {
    try (EmbeddedProxy proxy = new EmbeddedProxy(config(List.of(), ConcurrencyConfig.fixed(1),
        WaitingRoomConfig.DEFAULTS, false))) {
      proxy.clientSends(chat(SMALL));
      EmbeddedChannel second = proxy.newClient();
      EmbeddedProxy.send(second, chat(SMALL));
      second.close();
      proxy.upstreamReceived();
      proxy.upstreamSends(OK);
      proxy.clientReceived();
      assertThat(EmbeddedProxy.drain(proxy.upstreams.get(0))).as("nothing forwarded for the departed").isEmpty();
      proxy.clientSends(chat(SMALL));
      assertThat(proxy.upstreamReceived()).as("the slot is free again").startsWith("POST ");
    }
  }

  @Test
  void aBackendFailureFreesThePermitForTheNextWaiter() {
    try (EmbeddedProxy proxy = new EmbeddedProxy(config(List.of(), ConcurrencyConfig.fixed(1),
        WaitingRoomConfig.DEFAULTS, false))) {
      proxy.clientSends(chat(SMALL));
      EmbeddedChannel second = proxy.newClient();
      EmbeddedProxy.send(second, chat(SMALL));
      proxy.upstream().close();
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 502 ");
      second.runPendingTasks();
      assertThat(proxy.upstreams).as("the waiter got the slot and a new connection").hasSize(2);
      assertThat(proxy.upstreamReceived()).startsWith("POST ");
    }
  }
}
