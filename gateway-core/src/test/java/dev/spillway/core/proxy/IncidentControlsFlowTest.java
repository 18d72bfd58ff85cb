package dev.spillway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.admission.concurrency.BackendAdmission;
import dev.spillway.core.config.AdmissionConfig;
import dev.spillway.core.config.ApiKeys;
import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.EndpointAddress;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.config.IdentityConfig;
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
import dev.spillway.core.incident.IncidentOverrides;
import dev.spillway.core.incident.LimitOverride;
import dev.spillway.core.incident.OverrideException;
import dev.spillway.core.observe.ExchangeRecord;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The operator's incident controls on the real pipeline: shedding, maintenance, pinned limits, drains. */
class IncidentControlsFlowTest {
  private static final String KEY = "sk-acme-test";
  private static final String BODY = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  private static final String OK = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";

  private final List<ExchangeRecord> records = new ArrayList<>();
  private final IncidentOverrides overrides = new IncidentOverrides(
      Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC), new SplittableRandom(42));

  /** acme is "pro" (standard); unknown keys are "free" (sheddable). Backend b: two endpoints, limit as given. */
  private static GatewayConfig config(ConcurrencyConfig concurrency) {
    TierConfig pro = new TierConfig("pro", PriorityClass.STANDARD, List.of());
    TierConfig free = new TierConfig("free", PriorityClass.SHEDDABLE, List.of());
    TenantConfig acme = new TenantConfig("acme", "pro", List.of(ApiKeys.sha256Hex(KEY)));
    AdmissionConfig admission = new AdmissionConfig(IdentityConfig.DEFAULTS, false, "free", List.of(),
        TokenEstimationConfig.DEFAULTS, RejectionConfig.DEFAULTS);
    BackendConfig b = BackendConfig.of("b", List.of(new EndpointAddress("10.0.0.1", 8000),
        new EndpointAddress("10.0.0.2", 8000)));
    if (concurrency != null) {
      b = b.withConcurrency(concurrency, WaitingRoomConfig.DEFAULTS);
    }
    BackendConfig plain = BackendConfig.of("plain", List.of(new EndpointAddress("10.0.0.9", 8000)));
    return new GatewayConfig(ServerConfig.DEFAULTS, Map.of("b", b, "plain", plain),
        List.of(new RouteConfig("chat", new RouteMatch(null, "/v1/"), "b", admission),
            new RouteConfig("open", new RouteMatch(null, "/"), "plain")),
        Map.of("pro", pro, "free", free), List.of(acme), LimiterCacheConfig.DEFAULTS);
  }

  private EmbeddedProxy proxy(ConcurrencyConfig concurrency) {
    return new EmbeddedProxy(config(concurrency), records::add, overrides);
  }

  private static String chat(String key) {
    return "POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\n" + (key == null ? "" : "Authorization: Bearer "
        + key + "\r\n") + "Content-Type: application/json\r\nContent-Length: " + BODY.length() + "\r\n\r\n" + BODY;
  }

  /** Sends one request; answers it from the backend if it got there. Returns the client's response. */
  private static String exchange(EmbeddedProxy proxy, String request) {
    int before = proxy.connectedTo.size();
    proxy.clientSends(request);
    String early = proxy.clientReceived();
    if (!early.isEmpty()) {
      return early;
    }
    assertThat(proxy.connectedTo).hasSize(before + 1);
    proxy.upstreamReceived();
    proxy.upstreamSends(OK);
    return proxy.clientReceived();
  }

  @Test
  void shedsAboutTheGivenShareOfAPriorityClassAndNothingElse() {
    try (EmbeddedProxy proxy = proxy(null)) {
      overrides.setShed("sheddable", null, 30, "test");
      int shed = 0;
      for (int i = 0; i < 1000; i++) {
        String response = exchange(proxy, chat(null));
        if (response.startsWith("HTTP/1.1 503 ")) {
          assertThat(response).contains("x-spillway-shed-reason: operator").contains("\"type\":\"server_error\"")
              .containsPattern("(?i)retry-after: \\d+");
          shed++;
        } else {
          assertThat(response).startsWith("HTTP/1.1 200 ");
        }
      }
      // Binomial(1000, 0.3): sd 14.5; the seed makes it exact, the bounds say what "sane" means.
      assertThat(shed).isBetween(240, 360);
      assertThat(records).filteredOn(r -> r.shedReason() == ShedReason.OPERATOR).hasSize(shed);
      for (int i = 0; i < 100; i++) {
        assertThat(exchange(proxy, chat(KEY))).as("standard traffic is untouched").startsWith("HTTP/1.1 200 ");
      }
      assertThat(overrides.clearShed("sheddable", null)).isPresent();
      assertThat(overrides.atTheDoor()).isFalse();
      for (int i = 0; i < 100; i++) {
        assertThat(exchange(proxy, chat(null))).startsWith("HTTP/1.1 200 ");
      }
    }
  }

  @Test
  void shedsATenantTierAndRoutesWithoutAdmissionToo() {
    try (EmbeddedProxy proxy = proxy(null)) {
      overrides.setShed(null, "pro", 100, "test");
      assertThat(exchange(proxy, chat(KEY))).startsWith("HTTP/1.1 503 ").contains("x-spillway-shed-reason: operator");
      assertThat(exchange(proxy, chat(null))).startsWith("HTTP/1.1 200 ");
      overrides.clearShed(null, "pro");
      overrides.setShed("standard", null, 100, "test");
      // The route "open" has no admission: its anonymous requests are standard.
      assertThat(exchange(proxy, "GET /models HTTP/1.1\r\nHost: a\r\n\r\n")).startsWith("HTTP/1.1 503 ")
          .contains("x-spillway-shed-reason: operator");
      overrides.clearShed("standard", null);
      assertThat(exchange(proxy, "GET /models HTTP/1.1\r\nHost: a\r\n\r\n")).startsWith("HTTP/1.1 200 ");
    }
  }

  @Test
  void maintenanceAnswersWithTheOperatorsTextInTheRoutesApiShape() {
    try (EmbeddedProxy proxy = proxy(null)) {
      overrides.setMaintenance("chat", "Upgrading \"GPUs\"; back at 14:00 UTC", 120, "test");
      String openAi = exchange(proxy, chat(KEY));
      assertThat(openAi).startsWith("HTTP/1.1 503 ").contains("x-spillway-shed-reason: maintenance")
          .containsIgnoringCase("retry-after: 120").contains("retry-after-ms: 120000")
          .contains("{\"error\":{\"message\":\"Upgrading \\\"GPUs\\\"; back at 14:00 UTC\",\"type\":\"server_error\"");
      String body = "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[]}";
      String anthropic = exchange(proxy, "POST /v1/messages HTTP/1.1\r\nHost: a\r\nanthropic-version: 2023-06-01\r\n"
          + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
      assertThat(anthropic).startsWith("HTTP/1.1 503 ")
          .contains("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Upgrading");
      assertThat(records).filteredOn(r -> r.shedReason() == ShedReason.MAINTENANCE).hasSize(2);
      assertThat(exchange(proxy, "GET /models HTTP/1.1\r\nHost: a\r\n\r\n")).as("other routes run")
          .startsWith("HTTP/1.1 200 ");

      overrides.setMaintenance("open", "Down for a moment", 0, "test");
      assertThat(exchange(proxy, "GET /models HTTP/1.1\r\nHost: a\r\n\r\n")).startsWith("HTTP/1.1 503 ")
          .contains("Down for a moment").doesNotContainIgnoringCase("retry-after");
      overrides.clearMaintenance("chat");
      overrides.clearMaintenance("open");
      assertThat(exchange(proxy, chat(KEY))).startsWith("HTTP/1.1 200 ");
      assertThat(proxy.client.isOpen()).isTrue();
    }
  }

  @Test
  void pinsAndCapsTheBackendLimitAndGivesItBackOnRemoval() {
    try (EmbeddedProxy proxy = proxy(ConcurrencyConfig.adaptive(20))) {
      BackendAdmission admission = proxy.context.router().routes().get(0).backend().admission();
      int adaptive = admission.limit();
      overrides.setBackendLimit("b", LimitOverride.pin(1), "test");
      assertThat(admission.limit()).isEqualTo(1);
      proxy.clientSends(chat(KEY)); // holds the only slot
      proxy.upstreamReceived();
      var second = proxy.newClient();
      EmbeddedProxy.send(second, chat(KEY));
      assertThat(EmbeddedProxy.drain(second)).as("waits for the pinned single slot").isEmpty();
      assertThat(proxy.connectedTo).hasSize(1);
      proxy.upstreamSends(OK);
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 200 ");
      second.runPendingTasks();
      assertThat(proxy.connectedTo).as("the queued request got the freed slot").hasSize(2);
      proxy.upstreamReceived();
      proxy.upstreamSends(OK);
      assertThat(EmbeddedProxy.drain(second)).startsWith("HTTP/1.1 200 ");

      overrides.setBackendLimit("b", LimitOverride.max(3), "test");
      assertThat(admission.limit()).isEqualTo(Math.min(3, adaptive));
      assertThat(overrides.clearBackendLimit("b")).isPresent();
      assertThat(admission.limit()).isEqualTo(admission.unoverriddenLimit());
      assertThat(admission.limit()).isGreaterThan(3);
    }
  }

  @Test
  void aDrainedEndpointGetsNoNewRequestsWhileItsInFlightOneFinishes() {
    try (EmbeddedProxy proxy = proxy(null)) {
      proxy.clientSends(chat(KEY));
      proxy.upstreamReceived();
      String first = proxy.connectedTo.get(0).address().host();
      String drained = first + ":8000";
      overrides.setDrained(drained, true, "test");
      proxy.upstreamSends(OK);
      assertThat(proxy.clientReceived()).as("in flight when drained: finishes").startsWith("HTTP/1.1 200 ");
      for (int i = 0; i < 6; i++) {
        assertThat(exchange(proxy, chat(KEY))).startsWith("HTTP/1.1 200 ");
      }
      assertThat(proxy.connectedTo.subList(1, 7)).allSatisfy(e -> assertThat(e.address().host()).isNotEqualTo(first));
      overrides.setDrained(drained, false, "test");
      // Restored, it is picked again: the balancer chooses at random, so send until it is (at most 64).
      for (int i = 0; i < 64 && proxy.connectedTo.subList(7, proxy.connectedTo.size()).stream()
          .noneMatch(e -> e.address().host().equals(first)); i++) {
        exchange(proxy, chat(KEY));
      }
      assertThat(proxy.connectedTo.subList(7, proxy.connectedTo.size()))
          .anySatisfy(e -> assertThat(e.address().host()).isEqualTo(first));
      assertThat(overrides.list()).isEmpty();
    }
  }

  @Test
  void refusesBadValuesAndUnknownNamesNamingTheField() {
    try (EmbeddedProxy proxy = proxy(null)) {
      assertThatThrownBy(() -> overrides.setShed("sheddable", null, 0, "t")).isInstanceOf(OverrideException.class)
          .hasMessage("percent: 0 (expected: 1..100)");
      assertThatThrownBy(() -> overrides.setShed("vip", null, 10, "t")).hasMessageContaining("priority: \"vip\"");
      assertThatThrownBy(() -> overrides.setShed("standard", "pro", 10, "t")).hasMessageStartingWith("priority:");
      assertThatThrownBy(() -> overrides.setShed(null, "gold", 10, "t"))
          .satisfies(e -> assertThat(((OverrideException) e).problem()).isEqualTo(OverrideException.Problem.NOT_FOUND))
          .hasMessageContaining("defined: ");
      assertThatThrownBy(() -> overrides.setBackendLimit("nope", LimitOverride.pin(2), "t"))
          .satisfies(e -> assertThat(((OverrideException) e).field()).isEqualTo("backend"));
      assertThatThrownBy(() -> overrides.setBackendLimit("b", LimitOverride.pin(2), "t"))
          .satisfies(e -> assertThat(((OverrideException) e).problem()).isEqualTo(OverrideException.Problem.CONFLICT));
      assertThatThrownBy(() -> overrides.setMaintenance("chat", " ", 0, "t")).hasMessageStartingWith("message:");
      assertThatThrownBy(() -> overrides.setMaintenance("nope", "x", 0, "t")).hasMessageContaining("no route");
      assertThatThrownBy(() -> overrides.setDrained("10.0.0.7:8000", true, "t")).hasMessageContaining("no backend");
      assertThat(overrides.list()).isEmpty();
      assertThat(proxy.connectedTo).isEmpty();
    }
  }
}
