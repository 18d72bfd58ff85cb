package dev.spillway.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The endpoint, resilience, tier, retry and stream settings carried by backends and routes. */
class BackendRouteResilienceTest {
  private static final EndpointAddress A = new EndpointAddress("10.0.0.1", 8000);
  private static final EndpointAddress B = new EndpointAddress("10.0.0.2", 8000);
  private static final RouteMatch ALL = new RouteMatch(null, "/");

  @Test
  void plainEndpointsGetWeightOneNoCapAndDefaultResilience() {
    BackendConfig backend = BackendConfig.of("b", List.of(A, B));

    assertThat(backend.endpointConfigs()).containsExactly(EndpointConfig.of(A), EndpointConfig.of(B));
    assertThat(backend.endpointConfigs()).allSatisfy(e -> {
      assertThat(e.weight()).isEqualTo(1);
      assertThat(e.maxConcurrency()).isEqualTo(EndpointConfig.UNCAPPED);
    });
    assertThat(backend.endpoints()).containsExactly(A, B);
    assertThat(backend.resilience()).isEqualTo(ResilienceConfig.DEFAULTS);
  }

  @Test
  void endpointsFollowEndpointConfigsInOrder() {
    BackendConfig backend = BackendConfig.of("b", List.of(A))
        .withEndpointConfigs(List.of(new EndpointConfig(B, 3, 16), new EndpointConfig(A, 1, 0)));

    assertThat(backend.endpoints()).containsExactly(B, A);
    assertThat(backend.endpointConfigs().get(0).weight()).isEqualTo(3);
    assertThat(backend.endpointConfigs().get(0).maxConcurrency()).isEqualTo(16);
  }

  @Test
  void endpointConfigsAreCopied() {
    List<EndpointConfig> mutable = new ArrayList<>(List.of(EndpointConfig.of(A)));
    BackendConfig backend = BackendConfig.of("b", List.of(A)).withEndpointConfigs(mutable);
    mutable.add(EndpointConfig.of(B));

    assertThat(backend.endpoints()).containsExactly(A);
  }

  @Test
  void helpersKeepTheOtherSettings() {
    ResilienceConfig weighted = ResilienceConfig.DEFAULTS.withBalancing(Balancing.WEIGHTED);
    BackendConfig backend = BackendConfig.of("b", List.of(A)).withResilience(weighted)
        .withConcurrency(ConcurrencyConfig.fixed(8), WaitingRoomConfig.DEFAULTS);

    assertThat(backend.resilience()).isEqualTo(weighted);
    assertThat(backend.concurrency()).isEqualTo(ConcurrencyConfig.fixed(8));
  }

  @Test
  void backendRejectsNoEndpointsAndNoResilience() {
    assertThatThrownBy(() -> BackendConfig.of("b", List.of()))
        .hasMessage("endpoints: [] (expected: at least one http://host:port)");
    assertThatThrownBy(() -> BackendConfig.of("b", List.of(A)).withEndpointConfigs(List.of()))
        .hasMessage("endpoints: [] (expected: at least one http://host:port)");
    assertThatThrownBy(() -> BackendConfig.of("b", List.of(A)).withResilience(null))
        .hasMessage("resilience: missing (expected: a value)");
  }

  @Test
  void routeDefaultsToOneTierOfItsBackend() {
    RouteConfig route = new RouteConfig("chat", ALL, "primary");

    assertThat(route.tiers()).containsExactly(FailoverTierConfig.of("primary"));
    assertThat(route.retry()).isEqualTo(RetryConfig.DEFAULTS);
    assertThat(route.stream()).isEqualTo(StreamConfig.DEFAULTS);
  }

  @Test
  void withTiersDerivesTheBackend() {
    RouteConfig route = new RouteConfig("chat", ALL, "primary")
        .withTiers(List.of(FailoverTierConfig.of("eu"), new FailoverTierConfig("small", "llama")));

    assertThat(route.backend()).isEqualTo("eu");
    assertThat(route.tiers()).extracting(FailoverTierConfig::backend).containsExactly("eu", "small");
  }

  @Test
  void backendMustBeTheFirstTier() {
    assertThatThrownBy(() -> new RouteConfig("chat", ALL, "primary", null,
        List.of(FailoverTierConfig.of("other")), RetryConfig.DEFAULTS, StreamConfig.DEFAULTS))
        .hasMessage("backend: \"primary\" (expected: the first of backends, \"other\"; with backends, leave "
            + "backend out)");
  }

  @Test
  void tierCountIsBounded() {
    RouteConfig route = new RouteConfig("chat", ALL, "primary");
    List<FailoverTierConfig> sixteen = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      sixteen.add(FailoverTierConfig.of("b" + i));
    }

    assertThatThrownBy(() -> route.withTiers(List.of())).hasMessage("backends: 0 backends (expected: 1..15)");
    assertThatThrownBy(() -> route.withTiers(sixteen)).hasMessage("backends: 16 backends (expected: 1..15)");
    assertThat(route.withTiers(sixteen.subList(0, 15)).tiers()).hasSize(15);
  }

  @Test
  void routeRejectsMissingRetryOrStream() {
    RouteConfig route = new RouteConfig("chat", ALL, "primary");

    assertThatThrownBy(() -> route.withRetry(null)).hasMessage("retry: missing (expected: a value)");
    assertThatThrownBy(() -> route.withStream(null)).hasMessage("stream: missing (expected: a value)");
    assertThat(route.withRetry(RetryConfig.DISABLED).retry().enabled()).isFalse();
  }

  @Test
  void everyTierBackendMustBeDefined() {
    Map<String, BackendConfig> backends = new LinkedHashMap<>();
    backends.put("primary", BackendConfig.of("primary", List.of(A)));
    backends.put("fallback", BackendConfig.of("fallback", List.of(B)));
    RouteConfig ok = new RouteConfig("ok", ALL, "primary").withTiers(
        List.of(FailoverTierConfig.of("primary"), new FailoverTierConfig("fallback", "gpt-4o-mini")));
    RouteConfig bad = new RouteConfig("bad", ALL, "primary").withTiers(
        List.of(FailoverTierConfig.of("primary"), FailoverTierConfig.of("fallback"), FailoverTierConfig.of("nope")));

    assertThat(new GatewayConfig(ServerConfig.DEFAULTS, backends, List.of(ok)).routes()).containsExactly(ok);
    ConfigException e = catchThrowableOfType(ConfigException.class,
        () -> new GatewayConfig(ServerConfig.DEFAULTS, backends, List.of(ok, bad)));
    assertThat(e.path()).isEqualTo("routes[1].backends[2].backend");
    assertThat(e.detail()).isEqualTo("\"nope\" is not a defined backend (defined: primary, fallback)");
  }
}
