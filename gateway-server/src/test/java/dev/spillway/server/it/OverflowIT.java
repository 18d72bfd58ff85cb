package dev.spillway.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.Gateway;
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
import dev.spillway.core.config.RouteConfig;
import dev.spillway.core.config.RouteMatch;
import dev.spillway.core.config.TenantConfig;
import dev.spillway.core.config.TierConfig;
import dev.spillway.core.config.TokenEstimationConfig;
import dev.spillway.core.config.WaitingRoomConfig;
import dev.spillway.core.routing.Route;
import dev.spillway.server.mock.MockBackend;
import dev.spillway.server.mock.MockBackendOptions;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Overflow before shedding over real sockets: a burst larger than the primary's limit and waiting room sheds
 * without overflow; with {@code overflow: [standard]} on the second tier the standard requests that the
 * primary cannot take are served there, while sheddable ones are still shed.
 */
class OverflowIT {
  private static final String KEY = "sk-acme-test";
  private static final int BURST = 16;
  private final HttpClient http = ProxyFixture.client();

  @Test
  void aBurstOverflowsStandardRequestsToTheSecondTierAndStillShedsSheddableOnes() throws Exception {
    MockBackend primary = MockBackend.start(MockBackendOptions.defaults().withLatency(Duration.ofMillis(300)));
    MockBackend secondary = MockBackend.start(MockBackendOptions.defaults().withLatency(Duration.ofMillis(300)));
    try {
      Map<String, Integer> without = burst(primary.port(), secondary.port(), Set.of());
      Map<String, Integer> with = burst(primary.port(), secondary.port(), Set.of(PriorityClass.STANDARD));
      System.out.printf("burst of %d standard + %d sheddable, primary limit 4 + room 2, secondary limit 8:%n"
          + "  without overflow: %s%n  with overflow [standard]: %s%n", BURST, BURST, without, with);
      assertThat(without.keySet()).as("without overflow nothing reaches the second tier")
          .noneMatch(k -> k.contains("secondary"));
      assertThat(without.getOrDefault("standard 503", 0)).as("the burst is larger than the primary takes")
          .isPositive();
      assertThat(with.getOrDefault("standard secondary 200", 0)).as("standard requests overflowed")
          .isPositive();
      assertThat(with).as("sheddable may not overflow").doesNotContainKey("sheddable secondary 200");
    } finally {
      primary.close();
      secondary.close();
    }
  }

  /** Sends the burst at once and counts "class backend status" (or "class status" when shed). */
  private Map<String, Integer> burst(int primaryPort, int secondaryPort, Set<PriorityClass> overflow)
      throws Exception {
    Map<String, Integer> counts = new TreeMap<>();
    try (Gateway gw = Gateway.start(config(primaryPort, secondaryPort, overflow))) {
      List<CompletableFuture<String>> sent = new ArrayList<>();
      for (int i = 0; i < BURST; i++) {
        sent.add(send(gw, true));
        sent.add(send(gw, false));
      }
      for (CompletableFuture<String> f : sent) {
        counts.merge(f.get(30, TimeUnit.SECONDS), 1, Integer::sum);
      }
      for (Route.Tier t : gw.router().routes().get(0).tiers()) {
        assertThat(t.backend().admission().inFlight()).as(t.backend().name() + " permits all completed").isZero();
      }
    }
    return counts;
  }

  private CompletableFuture<String> send(Gateway gw, boolean standard) {
    HttpRequest.Builder b = ProxyFixture.request(gw, "/v1/chat/completions")
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(ProxyFixture.chatBody(false, 2)));
    if (standard) {
      b.header("Authorization", "Bearer " + KEY);
    }
    String cls = standard ? "standard" : "sheddable";
    return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
      if (r.statusCode() != 200) {
        return cls + " " + r.statusCode();
      }
      String backend = r.headers().firstValue("x-spillway-backend").orElse("?");
      return cls + " " + backend.substring(0, backend.indexOf('/')) + " 200";
    });
  }

  private static GatewayConfig config(int primaryPort, int secondaryPort, Set<PriorityClass> overflow) {
    WaitingRoomConfig room = new WaitingRoomConfig(2, Duration.ofSeconds(5), WaitingRoomConfig.defaultShares(),
        WaitingRoomConfig.DEFAULT_CODEL_TARGET, WaitingRoomConfig.DEFAULT_CODEL_INTERVAL);
    Map<String, BackendConfig> backends = new LinkedHashMap<>();
    backends.put("primary", backend("primary", primaryPort).withConcurrency(ConcurrencyConfig.fixed(4), room));
    backends.put("secondary",
        backend("secondary", secondaryPort).withConcurrency(ConcurrencyConfig.fixed(8), room));
    AdmissionConfig admission = new AdmissionConfig(IdentityConfig.DEFAULTS, false, "free", List.of(),
        TokenEstimationConfig.DEFAULTS, RejectionConfig.DEFAULTS);
    RouteConfig route = new RouteConfig("chat", new RouteMatch(null, "/"), "primary", admission)
        .withTiers(List.of(FailoverTierConfig.of("primary"),
            new FailoverTierConfig("secondary", null, overflow)));
    return new GatewayConfig(ProxyFixture.server(), backends, List.of(route),
        Map.of("pro", new TierConfig("pro", PriorityClass.STANDARD, List.of()),
            "free", new TierConfig("free", PriorityClass.SHEDDABLE, List.of())),
        List.of(new TenantConfig("acme", "pro", List.of(ApiKeys.sha256Hex(KEY)))), LimiterCacheConfig.DEFAULTS);
  }

  private static BackendConfig backend(String name, int port) {
    return new BackendConfig(name, List.of(new EndpointAddress("127.0.0.1", port)), Duration.ofSeconds(2),
        Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofMinutes(1),
        dev.spillway.core.config.PoolConfig.DEFAULTS);
  }
}
