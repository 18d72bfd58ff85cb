package dev.spillway.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spillway.core.admission.ratelimit.redis.LimiterStoreState;
import dev.spillway.core.admission.ratelimit.redis.RedisLimiterStore;
import dev.spillway.core.config.AdmissionConfig;
import dev.spillway.core.config.BandwidthConfig;
import dev.spillway.core.config.FailurePolicy;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.config.IdentityConfig;
import dev.spillway.core.config.LimitConfig;
import dev.spillway.core.config.LimitUnit;
import dev.spillway.core.config.LimiterCacheConfig;
import dev.spillway.core.config.LimiterStoreConfig;
import dev.spillway.core.config.LimiterStoreType;
import dev.spillway.core.config.PriorityClass;
import dev.spillway.core.config.RejectionConfig;
import dev.spillway.core.config.RouteConfig;
import dev.spillway.core.config.RouteMatch;
import dev.spillway.core.config.TierConfig;
import dev.spillway.core.config.TokenEstimationConfig;
import dev.spillway.server.config.LoadedConfig;
import dev.spillway.server.mock.MockBackend;
import dev.spillway.server.mock.MockBackendOptions;
import dev.spillway.testing.RedisServer;
import dev.spillway.testing.StoreStates;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Redis limiter store as the component {@code gateway/limiter-store} of a running gateway: on {@code /status},
 * in {@code spillway_component_state}, and as an incident while Redis is gone. The limit's failure policy is
 * {@code closed}, so losing Redis is an outage while requests are refused, degraded while none come.
 */
class LimiterStoreMonitoringIT {
  @RegisterExtension
  static final RedisServer redis = new RedisServer();
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void theStoreIsAComponentOperationalThenOutageAndDegradedThenOperationalAgain() throws Exception {
    MockBackend backend = MockBackend.start(MockBackendOptions.defaults().withLatency(Duration.ZERO));
    try (MonitoringFixture f = new MonitoringFixture(backend.port(), null, LoadedConfig.of(config(backend.port())))) {
      RedisLimiterStore store = (RedisLimiterStore) f.gateway.limiterStores();
      StoreStates.awaitUp(List.of(store), Duration.ofSeconds(10));
      assertThat(f.chat().statusCode()).isEqualTo(200);
      f.seconds(1);
      assertComponent(f, "operational", 0, "limits shared on " + redis.uri());

      redis.kill();
      CompletableFuture<Void> degraded = StoreStates.when(store, LimiterStoreState.DEGRADED);
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!degraded.isDone() && System.nanoTime() - deadline < 0) {
        f.chat();
      }
      StoreStates.await(degraded, List.of(store), Duration.ZERO);
      assertThat(f.chat().statusCode()).isEqualTo(429);
      f.seconds(1);
      assertComponent(f, "outage", 3, "limits with failure policy closed refused");
      JsonNode incidents = JSON.readTree(f.admin("/incidents", true).body()).at("/incidents");
      assertThat(incidents.toString()).contains("unreachable");
      assertThat(incidents.get(0).path("state").asText()).isEqualTo("open");
      assertThat(incidents.get(0).path("components").toString()).contains("gateway limiter-store");

      f.seconds(1); // no requests refused since the last look
      assertComponent(f, "degraded", 1, "unreachable (breaker open)");

      redis.start();
      CompletableFuture<Void> up = StoreStates.when(store, LimiterStoreState.UP);
      deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (!up.isDone() && System.nanoTime() - deadline < 0) {
        f.chat(); // the breaker tests Redis only when a lease asks it something
      }
      StoreStates.await(up, List.of(store), Duration.ZERO);
      f.seconds(1);
      f.seconds(1);
      assertComponent(f, "operational", 0, "limits shared on ");
    } finally {
      backend.close();
    }
  }

  private static void assertComponent(MonitoringFixture f, String state, int gauge, String reason)
      throws Exception {
    JsonNode gateway = JSON.readTree(f.admin("/status", true).body()).at("/gateway");
    JsonNode store = null;
    for (JsonNode c : gateway) {
      if (c.path("name").asText().equals("limiter-store")) {
        store = c;
      }
    }
    assertThat(store).as("gateway/limiter-store in " + gateway).isNotNull();
    assertThat(store.path("state").asText()).as(store.toString()).isEqualTo(state);
    assertThat(store.path("reason").asText()).contains(reason);
    String metrics = f.admin("/metrics", true).body();
    assertThat(MonitoringIT.sample(metrics, "spillway_component_state", "kind=\"gateway\"",
        "name=\"limiter-store\"")).isEqualTo(gauge);
  }

  private static GatewayConfig config(int backendPort) {
    GatewayConfig base = MonitoringFixture.gatewayConfig(backendPort, null);
    TierConfig pro = new TierConfig("pro", PriorityClass.STANDARD, List.of(new LimitConfig("rpm",
        LimitUnit.REQUESTS, List.of(BandwidthConfig.parse("6000/1m")), true)));
    AdmissionConfig admission = new AdmissionConfig(IdentityConfig.DEFAULTS, false, "pro", List.of(),
        TokenEstimationConfig.DEFAULTS, RejectionConfig.DEFAULTS);
    RouteConfig route = new RouteConfig("chat", new RouteMatch(null, "/"), "b", admission);
    LimiterStoreConfig store = new LimiterStoreConfig(LimiterStoreType.REDIS, redis.uri(), null,
        Duration.ofMillis(200), 0.05, 3, FailurePolicy.CLOSED);
    return new GatewayConfig(base.server(), base.backends(), List.of(route), Map.of("pro", pro), List.of(),
        LimiterCacheConfig.DEFAULTS, store);
  }
}
