package dev.spillway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.admission.concurrency.BackendAdmission;
import dev.spillway.core.config.AdmissionConfig;
import dev.spillway.core.config.ApiKeys;
import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.EndpointAddress;
import dev.spillway.core.config.FailoverTierConfig;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.config.IdentityConfig;
import dev.spillway.core.config.LimiterCacheConfig;
import dev.spillway.core.config.PriorityClass;
import dev.spillway.core.config.RejectionConfig;
import dev.spillway.core.config.RetryConfig;
import dev.spillway.core.config.RouteConfig;
import dev.spillway.core.config.RouteMatch;
import dev.spillway.core.config.ServerConfig;
import dev.spillway.core.config.TenantConfig;
import dev.spillway.core.config.TierConfig;
import dev.spillway.core.config.TokenEstimationConfig;
import dev.spillway.core.config.WaitingRoomConfig;
import dev.spillway.core.observe.ExchangeRecord;
import dev.spillway.core.routing.Route;
import dev.spillway.core.upstream.PoolExhaustedException;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Concurrency permits on the real pipeline: only overload evidence shrinks a limit, every failover tier runs
 * under its own backend's permit, and a class allowed to overflow spills to a later tier instead of being
 * shed. Every test ends with every backend's in-flight count back at zero (each permit completed).
 */
class TierPermitFlowTest {
  private static final String KEY = "sk-acme-test";
  private static final String BODY = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  private static final String OK = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
  private static final String PRIMARY_HOST = "host: 10.0.0.1:8000";
  private static final String SECONDARY_HOST = "host: 10.0.9.9:8000";

  private static ConcurrencyConfig adaptive() {
    return new ConcurrencyConfig(ConcurrencyConfig.Mode.ADAPTIVE, 64, 4, 1024);
  }

  private static WaitingRoomConfig noRoom() {
    return new WaitingRoomConfig(0, Duration.ofSeconds(10), WaitingRoomConfig.defaultShares(),
        WaitingRoomConfig.DEFAULT_CODEL_TARGET, WaitingRoomConfig.DEFAULT_CODEL_INTERVAL);
  }

  /** A route over "primary" and (when {@code twoTiers}) "secondary", with pro = standard and free = sheddable. */
  private static GatewayConfig config(ConcurrencyConfig primary, ConcurrencyConfig secondary, WaitingRoomConfig room,
      boolean twoTiers, Set<PriorityClass> overflow, RetryConfig retry) {
    TierConfig pro = new TierConfig("pro", PriorityClass.STANDARD, List.of());
    TierConfig free = new TierConfig("free", PriorityClass.SHEDDABLE, List.of());
    TenantConfig acme = new TenantConfig("acme", "pro", List.of(ApiKeys.sha256Hex(KEY)));
    AdmissionConfig admission = new AdmissionConfig(IdentityConfig.DEFAULTS, false, "free", List.of(),
        TokenEstimationConfig.DEFAULTS, RejectionConfig.DEFAULTS);
    Map<String, BackendConfig> backends = new LinkedHashMap<>();
    backends.put("primary", BackendConfig.of("primary", List.of(new EndpointAddress("10.0.0.1", 8000)))
        .withConcurrency(primary, room));
    backends.put("secondary", BackendConfig.of("secondary", List.of(new EndpointAddress("10.0.9.9", 8000)))
        .withConcurrency(secondary, room));
    RouteConfig route = new RouteConfig("chat", new RouteMatch(null, "/"), "primary", admission).withRetry(retry);
    if (twoTiers) {
      route = route.withTiers(List.of(FailoverTierConfig.of("primary"),
          new FailoverTierConfig("secondary", null, overflow)));
    }
    // The tests read which tier answered from x-spillway-backend, which clients only see when exposed.
    ServerConfig exposing = ServerConfig.DEFAULTS.withHeaderHygiene(ServerConfig.DEFAULT_MAX_HEADER_COUNT,
        dev.spillway.core.config.ForwardedHeadersConfig.DEFAULTS, true);
    return new GatewayConfig(exposing, backends, List.of(route), Map.of("pro", pro, "free", free),
        List.of(acme), LimiterCacheConfig.DEFAULTS);
  }

  /**
   * Ends the adaptive limit's start (pinned at minLimit while it measures a baseline) with clean, timed
   * answers, so the limit stands at its configured 64 and a change shows.
   */
  private static void warmUp(EmbeddedProxy proxy, BackendAdmission admission) {
    for (int i = 0; i < 12; i++) {
      proxy.clientSends(chat(true));
      proxy.upstreamReceived();
      proxy.advance(50, TimeUnit.MILLISECONDS);
      String usage = "{\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":10,\"total_tokens\":11}}";
      proxy.upstreamSends("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
          + usage.length() + "\r\n\r\n" + usage);
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 200 ");
    }
    assertThat(admission.limit()).as("the limit after its start").isEqualTo(64);
  }

  private static String chat(boolean pro) {
    return "POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\n" + (pro ? "Authorization: Bearer " + KEY + "\r\n" : "")
        + "Content-Type: application/json\r\nContent-Length: " + BODY.length() + "\r\n\r\n" + BODY;
  }

  private static BackendAdmission admission(EmbeddedProxy proxy, int tier) {
    Route route = proxy.context.router().routes().get(0);
    return route.tiers().size() > tier ? route.tiers().get(tier).backend().admission()
        : proxy.context.router().routes().get(0).backend().admission();
  }

  private static BackendAdmission backendAdmission(EmbeddedProxy proxy, String name) {
    for (Route.Tier t : proxy.context.router().routes().get(0).tiers()) {
      if (t.backend().name().equals(name)) {
        return t.backend().admission();
      }
    }
    throw new AssertionError(name);
  }

  private static String send(EmbeddedChannel client, String raw) {
    EmbeddedProxy.send(client, raw);
    return EmbeddedProxy.drain(client);
  }

  // ---- only overload evidence shrinks the limit ----

  @Test
  void aBurstOfPoolExhaustedFailuresLeavesTheLimitAlone() {
    try (EmbeddedProxy proxy = new EmbeddedProxy(config(adaptive(), adaptive(), WaitingRoomConfig.DEFAULTS, false,
        Set.of(), RetryConfig.DISABLED))) {
      BackendAdmission primary = admission(proxy, 0);
      warmUp(proxy, primary);
      for (int i = 0; i < 64; i++) {
        proxy.connectFailure = PoolExhaustedException.INSTANCE;
        assertThat(send(proxy.client, chat(true))).as("request " + i).startsWith("HTTP/1.1 503 ")
            .contains("upstream_overflow");
      }
      assertThat(primary.limit()).as("our own pool being full is no evidence of backend overload").isEqualTo(64);
      assertThat(primary.inFlight()).isZero();
    }
  }

  @Test
  void refusedConnectsLeaveTheLimitAlone() {
    try (EmbeddedProxy proxy = new EmbeddedProxy(config(adaptive(), adaptive(), WaitingRoomConfig.DEFAULTS, false,
        Set.of(), RetryConfig.DISABLED))) {
      BackendAdmission primary = admission(proxy, 0);
      warmUp(proxy, primary);
      for (int i = 0; i < 16; i++) {
        proxy.connectFailure = new ConnectException("Connection refused");
        // 502 until the refusals open the endpoint's breaker, then 503 no_available_backend: neither is overload.
        assertThat(send(proxy.client, chat(true))).matches("(?s)HTTP/1\\.1 50[23] .*");
      }
      assertThat(primary.limit()).isEqualTo(64);
      assertThat(primary.inFlight()).isZero();
    }
  }

  @Test
  void a500LeavesTheLimitAloneAndA503ShrinksIt() {
    try (EmbeddedProxy proxy = new EmbeddedProxy(config(adaptive(), adaptive(), WaitingRoomConfig.DEFAULTS, false,
        Set.of(), RetryConfig.DISABLED))) {
      BackendAdmission primary = admission(proxy, 0);
      warmUp(proxy, primary);
      for (String status : new String[] {"500 Internal Server Error", "400 Bad Request", "404 Not Found"}) {
        proxy.clientSends(chat(true));
        proxy.upstreamReceived();
        proxy.upstreamSends("HTTP/1.1 " + status + "\r\nContent-Length: 0\r\n\r\n");
        assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 " + status);
        assertThat(primary.limit()).as(status).isEqualTo(64);
      }
      proxy.clientSends(chat(true));
      proxy.upstreamReceived();
      proxy.upstreamSends("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 503 ");
      assertThat(primary.limit()).as("a 503 is the backend saying it is overloaded").isLessThan(64);
      assertThat(primary.inFlight()).isZero();
    }
  }

  @Test
  void aTimeoutAfterTheRequestWasSentShrinksTheLimit() {
    try (EmbeddedProxy proxy = new EmbeddedProxy(config(adaptive(), adaptive(), WaitingRoomConfig.DEFAULTS, false,
        Set.of(), RetryConfig.DISABLED))) {
      BackendAdmission primary = admission(proxy, 0);
      warmUp(proxy, primary);
      proxy.clientSends(chat(true));
      assertThat(proxy.upstreamReceived()).endsWith(BODY);
      assertThat(primary.inFlight()).isEqualTo(1);
      proxy.advance(BackendConfig.DEFAULT_RESPONSE_TIMEOUT.toSeconds() + 1, TimeUnit.SECONDS);
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 504 ");
      assertThat(primary.limit()).isLessThan(64);
      assertThat(primary.inFlight()).isZero();
    }
  }

  @Test
  void aClientLeavingCompletesThePermitWithoutShrinking() {
    try (EmbeddedProxy proxy = new EmbeddedProxy(config(adaptive(), adaptive(), WaitingRoomConfig.DEFAULTS, false,
        Set.of(), RetryConfig.DISABLED))) {
      BackendAdmission primary = admission(proxy, 0);
      warmUp(proxy, primary);
      proxy.clientSends(chat(true));
      proxy.upstreamReceived();
      assertThat(primary.inFlight()).isEqualTo(1);
      proxy.client.close();
      proxy.client.runPendingTasks();
      assertThat(primary.inFlight()).isZero();
      assertThat(primary.limit()).isEqualTo(64);
    }
  }

  // ---- each tier under its own permit ----

  @Test
  void aFailoverTierRunsUnderItsOwnPermitAndItsLatencyLeavesThePrimaryAlone() {
    try (EmbeddedProxy proxy = new EmbeddedProxy(config(adaptive(), adaptive(), WaitingRoomConfig.DEFAULTS, true,
        Set.of(), RetryConfig.DEFAULTS))) {
      BackendAdmission primary = admission(proxy, 0);
      BackendAdmission secondary = admission(proxy, 1);
      warmUp(proxy, primary);
      int secondaryStart = secondary.limit();
      proxy.connectFailure = new ConnectException("Connection refused");
      proxy.clientSends(chat(true));
      proxy.advance(1, TimeUnit.SECONDS); // the retry's backoff
      assertThat(proxy.upstreamReceived()).contains(SECONDARY_HOST);
      assertThat(primary.inFlight()).as("failing over released the primary's permit").isZero();
      assertThat(secondary.inFlight()).as("the failover tier's own permit").isEqualTo(1);
      proxy.advance(30, TimeUnit.SECONDS); // a slow answer
      proxy.upstreamSends(OK);
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 200 ");
      assertThat(primary.limit()).isEqualTo(64);
      assertThat(primary.inFlight()).isZero();
      assertThat(secondary.inFlight()).isZero();
    }
  }

  @Test
  void aClientLeavingDuringAFailoverAttemptCompletesThatTiersPermit() {
    try (EmbeddedProxy proxy = new EmbeddedProxy(config(adaptive(), adaptive(), WaitingRoomConfig.DEFAULTS, true,
        Set.of(), RetryConfig.DEFAULTS))) {
      BackendAdmission primary = admission(proxy, 0);
      BackendAdmission secondary = admission(proxy, 1);
      warmUp(proxy, primary);
      int secondaryStart = secondary.limit();
      proxy.connectFailure = new ConnectException("Connection refused");
      proxy.clientSends(chat(true));
      proxy.advance(1, TimeUnit.SECONDS);
      assertThat(proxy.upstreamReceived()).contains(SECONDARY_HOST);
      assertThat(secondary.inFlight()).isEqualTo(1);
      proxy.client.close();
      proxy.client.runPendingTasks();
      assertThat(primary.inFlight()).isZero();
      assertThat(secondary.inFlight()).isZero();
      assertThat(secondary.limit()).isEqualTo(secondaryStart);
    }
  }

  @Test
  void aRetryOnTheSameTierKeepsOnePermit() {
    Map<String, BackendConfig> backends = new LinkedHashMap<>();
    backends.put("primary", BackendConfig.of("primary", List.of(new EndpointAddress("10.0.0.1", 8000),
        new EndpointAddress("10.0.0.2", 8000))).withConcurrency(adaptive(), WaitingRoomConfig.DEFAULTS));
    GatewayConfig config = new GatewayConfig(ServerConfig.DEFAULTS, backends,
        List.of(new RouteConfig("chat", new RouteMatch(null, "/"), "primary")));
    try (EmbeddedProxy proxy = new EmbeddedProxy(config)) {
      BackendAdmission primary = admission(proxy, 0);
      proxy.clientSends(chat(true));
      proxy.upstreamReceived();
      proxy.upstreamSends("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
      proxy.advance(1, TimeUnit.SECONDS);
      assertThat(proxy.upstreams).hasSize(2);
      assertThat(primary.inFlight()).isEqualTo(1);
      proxy.upstreamSends(OK);
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 200 ");
      assertThat(primary.inFlight()).isZero();
      assertThat(primary.limit()).as("the swallowed 503 still counts as overload").isLessThan(64);
    }
  }

  @Test
  void aFullFailoverTierGetsTheAtCapacityAnswer() {
    try (EmbeddedProxy proxy = new EmbeddedProxy(config(ConcurrencyConfig.fixed(4), ConcurrencyConfig.fixed(1),
        noRoom(), true, Set.of(), RetryConfig.DEFAULTS))) {
      BackendAdmission primary = admission(proxy, 0);
      BackendAdmission secondary = admission(proxy, 1);
      var holder = secondary.tryAcquireNow(PriorityClass.CRITICAL);
      proxy.connectFailure = new ConnectException("Connection refused");
      proxy.clientSends(chat(true));
      proxy.advance(1, TimeUnit.SECONDS);
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 503 ").contains("queue_full");
      assertThat(primary.inFlight()).isZero();
      assertThat(secondary.inFlight()).isEqualTo(1);
      holder.onIgnore();
      assertThat(secondary.inFlight()).isZero();
    }
  }

  // ---- overflow before shedding ----

  @Test
  void overflowsToTheNextTierWhenThePrimaryIsFullAndShedsWhatMayNot() {
    List<ExchangeRecord> records = new ArrayList<>();
    try (EmbeddedProxy proxy = new EmbeddedProxy(config(ConcurrencyConfig.fixed(1), ConcurrencyConfig.fixed(1),
        noRoom(), true, Set.of(PriorityClass.STANDARD), RetryConfig.DEFAULTS), records::add)) {
      BackendAdmission primary = backendAdmission(proxy, "primary");
      BackendAdmission secondary = backendAdmission(proxy, "secondary");
      EmbeddedChannel a = proxy.client;
      EmbeddedProxy.send(a, chat(true));
      assertThat(proxy.upstreamReceived()).contains(PRIMARY_HOST);

      EmbeddedChannel b = proxy.newClient();
      EmbeddedProxy.send(b, chat(true));
      assertThat(proxy.upstreamReceived()).as("standard overflows to tier 2").contains(SECONDARY_HOST);
      assertThat(primary.inFlight()).isEqualTo(1);
      assertThat(primary.queued()).as("not also waiting in the primary's room").isZero();
      assertThat(secondary.inFlight()).isEqualTo(1);

      EmbeddedChannel c = proxy.newClient();
      assertThat(send(c, chat(false))).as("sheddable may not overflow").startsWith("HTTP/1.1 503 ");
      EmbeddedChannel d = proxy.newClient();
      assertThat(send(d, chat(true))).as("every allowed tier is full").startsWith("HTTP/1.1 503 ")
          .contains("queue_full");
      assertThat(proxy.upstreams).hasSize(2);

      proxy.upstreamSends(1, OK);
      assertThat(EmbeddedProxy.drain(b)).startsWith("HTTP/1.1 200 ").contains("x-spillway-backend: secondary/");
      proxy.upstreamSends(0, OK);
      assertThat(EmbeddedProxy.drain(a)).startsWith("HTTP/1.1 200 ");
      assertThat(primary.inFlight()).isZero();
      assertThat(secondary.inFlight()).isZero();
      assertThat(records).filteredOn(r -> "primary".equals(r.overflowFrom())).singleElement()
          .satisfies(r -> assertThat(r.backend()).isEqualTo("secondary"));
    }
  }

  @Test
  void withoutOverflowConfiguredThePrimaryShedsAsBefore() {
    try (EmbeddedProxy proxy = new EmbeddedProxy(config(ConcurrencyConfig.fixed(1), ConcurrencyConfig.fixed(1),
        noRoom(), true, Set.of(), RetryConfig.DEFAULTS))) {
      proxy.clientSends(chat(true));
      assertThat(proxy.upstreamReceived()).contains(PRIMARY_HOST);
      EmbeddedChannel b = proxy.newClient();
      assertThat(send(b, chat(true))).startsWith("HTTP/1.1 503 ");
      assertThat(proxy.upstreams).hasSize(1);
      proxy.upstreamSends(OK);
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 200 ");
      assertThat(admission(proxy, 0).inFlight()).isZero();
      assertThat(admission(proxy, 1).inFlight()).isZero();
    }
  }
}
