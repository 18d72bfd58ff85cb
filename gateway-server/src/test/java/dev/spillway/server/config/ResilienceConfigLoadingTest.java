package dev.spillway.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.Balancing;
import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.BreakerConfig;
import dev.spillway.core.config.BreakerConfig.WindowType;
import dev.spillway.core.config.EndpointAddress;
import dev.spillway.core.config.EndpointConfig;
import dev.spillway.core.config.FailoverTierConfig;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.config.HealthCheckConfig;
import dev.spillway.core.config.OutlierConfig;
import dev.spillway.core.config.ResilienceConfig;
import dev.spillway.core.config.PriorityClass;
import dev.spillway.core.config.RetryConfig;
import dev.spillway.core.config.RouteConfig;
import dev.spillway.core.config.StreamConfig;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Endpoint weights, balancing, breakers, health checks, outlier ejection, failover tiers, retry and stream. */
class ResilienceConfigLoadingTest {
  private static final EndpointAddress A = new EndpointAddress("10.0.0.1", 8000);
  private static final EndpointAddress B = new EndpointAddress("10.0.0.2", 8000);

  @Test
  void everyBackendResilienceKeyIsBound() {
    String yaml = """
        backends:
          primary:
            endpoints:
              - http://10.0.0.1:8000
              - { url: "http://10.0.0.2:8000", weight: 3, maxConcurrency: 16 }
            balancing: weighted
            breaker:
              enabled: false
              failureRateThreshold: 40
              slowCallRateThreshold: 80
              slowCallDuration: 90s
              windowType: time
              windowSize: 30
              minimumCalls: 50
              waitInOpen: 10s
              maxWaitInOpen: 2m
              halfOpenCalls: 2
            healthCheck:
              enabled: true
              path: /v1/models
              interval: 10s
              jitter: 0.2
              timeout: 1s
              healthyThreshold: 1
              unhealthyThreshold: 4
            outlier: { enabled: false, consecutiveFailures: 3, baseEjection: 10s, maxEjection: 2m }
            maxEjectedPercent: 34
            maxCooldown: 1m
        routes:
          - name: chat
            backend: primary
        """;

    BackendConfig primary = ConfigLoader.parse(yaml, "all.yaml", name -> null).backends().get("primary");

    assertThat(primary.endpointConfigs()).containsExactly(EndpointConfig.of(A), new EndpointConfig(B, 3, 16));
    assertThat(primary.endpoints()).containsExactly(A, B);
    assertThat(primary.resilience()).isEqualTo(new ResilienceConfig(Balancing.WEIGHTED,
        new BreakerConfig(false, 40, 80, Duration.ofSeconds(90), WindowType.TIME, 30, 50, Duration.ofSeconds(10),
            Duration.ofMinutes(2), 2),
        new HealthCheckConfig(true, "/v1/models", Duration.ofSeconds(10), 0.2, Duration.ofSeconds(1), 1, 4),
        new OutlierConfig(false, 3, Duration.ofSeconds(10), Duration.ofMinutes(2)), 34, Duration.ofMinutes(1)));
  }

  @Test
  void absentBackendResilienceKeysTakeRecordDefaults() {
    GatewayConfig config = ConfigLoader.parse(AdmissionConfigLoadingTest.BACKEND_AND_ROUTE, "d.yaml", name -> null);

    BackendConfig primary = config.backends().get("primary");
    assertThat(primary.resilience()).isEqualTo(ResilienceConfig.DEFAULTS);
    assertThat(primary.endpointConfigs()).containsExactly(EndpointConfig.of(A));
  }

  @Test
  void emptyResilienceBlocksTakeRecordDefaults() {
    String yaml = """
        backends:
          primary:
            endpoints: [{ url: "http://10.0.0.1:8000" }]
            breaker: {}
            healthCheck: {}
            outlier: {}
        routes:
          - { name: chat, backend: primary, retry: {}, stream: {} }
        """;

    GatewayConfig config = ConfigLoader.parse(yaml, "empty.yaml", name -> null);

    assertThat(config.backends().get("primary").resilience()).isEqualTo(ResilienceConfig.DEFAULTS);
    assertThat(config.backends().get("primary").endpointConfigs()).containsExactly(EndpointConfig.of(A));
    assertThat(config.routes().get(0).retry()).isEqualTo(RetryConfig.DEFAULTS);
    assertThat(config.routes().get(0).stream()).isEqualTo(StreamConfig.DEFAULTS);
  }

  @Test
  void partialBlocksChangeOnlyTheKeysGiven() {
    String yaml = """
        backends:
          primary:
            endpoints: [http://10.0.0.1:8000]
            breaker: { waitInOpen: 40s }
            healthCheck: { enabled: true }
        routes:
          - name: chat
            backend: primary
            retry: { backoff: { max: 2s }, budget: { ratio: 0.1 } }
            stream: { heartbeatInterval: 15s }
        """;

    GatewayConfig config = ConfigLoader.parse(yaml, "partial.yaml", name -> null);

    ResilienceConfig resilience = config.backends().get("primary").resilience();
    assertThat(resilience.breaker().waitInOpen()).isEqualTo(Duration.ofSeconds(40));
    assertThat(resilience.breaker().maxWaitInOpen()).as("a wait longer than the default cap stays fixed")
        .isEqualTo(Duration.ofSeconds(40));
    assertThat(resilience.breaker().minimumCalls()).isEqualTo(BreakerConfig.DEFAULT_MINIMUM_CALLS);
    assertThat(resilience.healthCheck().enabled()).isTrue();
    assertThat(resilience.healthCheck().path()).isEqualTo(HealthCheckConfig.DEFAULT_PATH);
    RouteConfig chat = config.routes().get(0);
    assertThat(chat.retry()).isEqualTo(new RetryConfig(RetryConfig.DEFAULT_MAX_ATTEMPTS,
        RetryConfig.DEFAULT_BACKOFF_BASE, Duration.ofSeconds(2), RetryConfig.DEFAULT_MAX_REPLAYABLE_BODY, 0.1,
        RetryConfig.DEFAULT_MIN_RETRIES_PER_SECOND));
    assertThat(chat.stream().heartbeatInterval()).isEqualTo(Duration.ofSeconds(15));
    assertThat(chat.stream().idleTimeout()).isEqualTo(StreamConfig.DEFAULT_IDLE_TIMEOUT);
  }

  @Test
  void routeWithoutTiersRetryOrStreamGetsDefaults() {
    RouteConfig chat = ConfigLoader.parse(AdmissionConfigLoadingTest.BACKEND_AND_ROUTE, "d.yaml", name -> null)
        .routes().get(0);

    assertThat(chat.tiers()).containsExactly(FailoverTierConfig.of("primary"));
    assertThat(chat.retry()).isEqualTo(RetryConfig.DEFAULTS);
    assertThat(chat.stream()).isEqualTo(StreamConfig.DEFAULTS);
  }

  @Test
  void tierListReplacesBackend() {
    String yaml = """
        backends:
          primary: { endpoints: [http://10.0.0.1:8000] }
          fallback: { endpoints: [http://10.0.0.2:8000] }
        routes:
          - name: chat
            backends:
              - backend: primary
              - { backend: fallback, model: gpt-4o-mini, overflow: [critical, standard] }
              - { backend: fallback, overflow: sheddable }
          - name: both
            backend: primary
            backends: [primary]
        """;

    GatewayConfig config = ConfigLoader.parse(yaml, "tiers.yaml", name -> null);

    RouteConfig chat = config.routes().get(0);
    assertThat(chat.backend()).isEqualTo("primary");
    assertThat(chat.tiers()).containsExactly(FailoverTierConfig.of("primary"),
        new FailoverTierConfig("fallback", "gpt-4o-mini", Set.of(PriorityClass.CRITICAL, PriorityClass.STANDARD)),
        new FailoverTierConfig("fallback", null, Set.of(PriorityClass.SHEDDABLE)));
    assertThat(config.routes().get(1).tiers()).containsExactly(FailoverTierConfig.of("primary"));
  }

  @Test
  void everyRetryAndStreamKeyIsBound() {
    String yaml = AdmissionConfigLoadingTest.BACKEND_AND_ROUTE + """
            retry:
              maxAttempts: 2
              backoff: { base: 50ms, max: 500ms }
              maxReplayableBody: 256KiB
              budget: { ratio: 0.5, minRetriesPerSecond: 0 }
            stream:
              firstTokenTimeout: 0
              idleTimeout: 2m
              totalTimeout: 0
              heartbeatInterval: 20s
        """;

    RouteConfig chat = ConfigLoader.parse(yaml, "retry.yaml", name -> null).routes().get(0);

    assertThat(chat.retry()).isEqualTo(new RetryConfig(2, Duration.ofMillis(50), Duration.ofMillis(500),
        256 * 1024, 0.5, 0));
    assertThat(chat.stream()).isEqualTo(new StreamConfig(Duration.ZERO, Duration.ofMinutes(2), Duration.ZERO,
        Duration.ofSeconds(20)));
  }

  @Test
  void exampleFileCarriesTheResilienceExample() {
    GatewayConfig config = ConfigLoader.load(ConfigLoaderTest.exampleFile(), name -> null);

    assertThat(config.routes()).anySatisfy(route -> {
      assertThat(route.tiers()).hasSizeGreaterThan(1);
      assertThat(route.tiers()).anyMatch(FailoverTierConfig::rewritesModel);
      assertThat(route.tiers()).anyMatch(t -> t.overflow().contains(PriorityClass.CRITICAL));
      assertThat(route.stream().heartbeats()).isTrue();
    });
    assertThat(config.backends().values()).anySatisfy(backend -> {
      assertThat(backend.endpointConfigs()).anyMatch(e -> e.weight() > 1);
      assertThat(backend.resilience().breaker()).isNotEqualTo(BreakerConfig.DEFAULTS);
      assertThat(backend.resilience().healthCheck().enabled()).isTrue();
    });
  }
}
