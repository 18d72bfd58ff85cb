package dev.spillway.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.server.config.LoadedConfig;
import dev.spillway.server.mock.MockBackend;
import dev.spillway.server.mock.MockBackendOptions;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Metrics, status, incidents and the admin API, driven by real traffic through a gateway to a mock backend. */
class MonitoringIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static MockBackend backend;

  @BeforeAll
  static void startBackend() throws InterruptedException {
    backend = MockBackend.start(MockBackendOptions.defaults().withLatency(Duration.ofMillis(200)));
  }

  @AfterAll
  static void stopBackend() {
    backend.close();
  }

  @Test
  void metricsCountRequestsByRouteStatusAndOutcome() throws Exception {
    try (MonitoringFixture f = new MonitoringFixture(backend, null, null)) {
      for (int i = 0; i < 3; i++) {
        assertThat(f.chat().statusCode()).isEqualTo(200);
      }
      f.awaitRecords(3);

      String metrics = f.admin("/metrics", true).body();

      assertThat(sample(metrics, "spillway_requests_total", "route=\"chat\"", "status=\"200\"",
          "outcome=\"served\"", "reason=\"proxied\"", "backend=\"b\"")).isEqualTo(3.0);
      assertThat(sample(metrics, "spillway_request_duration_seconds_count", "route=\"chat\"", "outcome=\"served\""))
          .isEqualTo(3.0);
      assertThat(metrics).contains("spillway_request_duration_seconds_bucket{")
          .contains("spillway_time_to_first_byte_seconds_count{")
          .contains("spillway_endpoint_busy_seconds_total{backend=\"b\",endpoint=\"http://127.0.0.1:"
              + backend.port() + "\"")
          .contains("jvm_memory_used_bytes").contains("spillway_netty_direct_memory_used_bytes")
          .contains("spillway_ready 1.0");
    }
  }

  @Test
  void overloadOpensOneSheddingIncidentThatEndsWhenTheLoadFalls() throws Exception {
    try (MonitoringFixture f = new MonitoringFixture(backend, ConcurrencyConfig.fixed(1), null)) {
      List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        burst.add(CompletableFuture.supplyAsync(() -> {
          try {
            return f.chat();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }));
      }
      long shed = burst.stream().map(CompletableFuture::join).filter(r -> r.statusCode() == 503).count();
      assertThat(shed).as("requests shed by the waiting room of one").isGreaterThan(0);
      f.awaitRecords(burst.size());
      f.seconds(1);

      JsonNode status = JSON.readTree(f.admin("/status", true).body());
      assertThat(status.at("/backends/0/state").asText()).isEqualTo("at_capacity");
      assertThat(status.at("/backends/0/limit").asInt()).isEqualTo(1);
      String metrics = f.admin("/metrics", true).body();
      assertThat(sample(metrics, "spillway_requests_total", "outcome=\"shed\"", "reason=\"queue_full\"",
          "status=\"503\"")).isEqualTo((double) shed);
      assertThat(sample(metrics, "spillway_shed_duration_seconds_count", "reason=\"queue_full\""))
          .as("every shed answer's write timed").isEqualTo((double) shed);
      assertThat(sample(metrics, "spillway_component_state", "kind=\"backend\"", "name=\"b\"")).isEqualTo(2.0);
      assertThat(sample(metrics, "spillway_waiting_room_wait_seconds_count", "route=\"chat\"",
          "outcome=\"served\"")).isEqualTo((double) (burst.size() - shed));

      JsonNode open = JSON.readTree(f.admin("/incidents", true).body()).get("incidents");
      assertThat(open).hasSize(1);
      assertThat(open.get(0).get("state").asText()).isEqualTo("open");
      assertThat(open.get(0).get("title").asText()).startsWith("Shedding on ");

      // No more traffic: the window empties, then the condition must stay clear for resolveAfter.
      f.seconds((int) MonitoringFixture.WINDOW.toSeconds() + (int) MonitoringFixture.RESOLVE_AFTER.toSeconds() + 2);

      JsonNode incidents = JSON.readTree(f.admin("/incidents", true).body()).get("incidents");
      assertThat(incidents).hasSize(1);
      JsonNode incident = incidents.get(0);
      assertThat(incident.get("state").asText()).isEqualTo("resolved");
      assertThat(incident.get("summary").asText()).contains(shed + " requests shed");
      assertThat(incident.get("endedAt").asText()).isNotEmpty();
      assertThat(JSON.readTree(f.admin("/status", true).body()).at("/backends/0/state").asText())
          .isEqualTo("operational");
    }
  }

  @Test
  void aBreakerOpeningOpensOneIncidentNamingTheEndpoint() throws Exception {
    try (java.net.ServerSocket resetting = new java.net.ServerSocket(0)) {
      Thread acceptor = new Thread(() -> {
        while (!resetting.isClosed()) {
          try (java.net.Socket s = resetting.accept()) {
            s.getInputStream().read();
            s.setSoLinger(true, 0); // reset: a failure the breaker counts
          } catch (java.io.IOException e) {
            // closed by the test
          }
        }
      }, "resetting-backend");
      acceptor.setDaemon(true);
      acceptor.start();
      try (MonitoringFixture f = new MonitoringFixture(resetting.getLocalPort(), null, null)) {
        int requests = dev.spillway.core.config.BreakerConfig.DEFAULT_MINIMUM_CALLS;
        for (int i = 0; i < requests; i++) {
          assertThat(f.chat().statusCode()).isEqualTo(502);
        }
        assertThat(f.chat().statusCode()).as("the breaker is open: no endpoint left").isEqualTo(503);
        f.awaitRecords(requests + 1);
        f.seconds(1);

        JsonNode incidents = JSON.readTree(f.admin("/incidents", true).body()).get("incidents");
        assertThat(incidents).hasSize(1);
        assertThat(incidents.get(0).toString()).containsIgnoringCase("breaker")
            .contains("http://127.0.0.1:" + resetting.getLocalPort());
        assertThat(sample(f.admin("/metrics", true).body(), "spillway_endpoint_breaker_state",
            "endpoint=\"http://127.0.0.1:" + resetting.getLocalPort() + "\"")).isEqualTo(2.0);
      }
    }
  }

  /**
   * The measured failover: both endpoints of the primary dead, every request answered by the fallback. The
   * route says it is served by the fallback, the primary shows its outage, and the fallback backend is in
   * {@code /status} and in the metrics, with every failed attempt on the primary counted per endpoint.
   */
  @Test
  void aRouteServedByItsFallbackSaysSoAndThePrimaryShowsItsOutage() throws Exception {
    int deadPort1;
    int deadPort2;
    try (java.net.ServerSocket s1 = new java.net.ServerSocket(0);
        java.net.ServerSocket s2 = new java.net.ServerSocket(0)) {
      deadPort1 = s1.getLocalPort();
      deadPort2 = s2.getLocalPort();
    }
    java.util.Map<String, dev.spillway.core.config.BackendConfig> backends = new java.util.LinkedHashMap<>();
    backends.put("b", MonitoringFixture.gatewayConfig(deadPort1, null).backends().get("b")
        .withEndpointConfigs(java.util.List.of(
            dev.spillway.core.config.EndpointConfig.of(new dev.spillway.core.config.EndpointAddress("127.0.0.1",
                deadPort1)),
            dev.spillway.core.config.EndpointConfig.of(new dev.spillway.core.config.EndpointAddress("127.0.0.1",
                deadPort2)))));
    backends.put("spare", MonitoringFixture.gatewayConfig(backend.port(), null).backends().get("b")
        .withEndpointConfigs(java.util.List.of(dev.spillway.core.config.EndpointConfig.of(
            new dev.spillway.core.config.EndpointAddress("127.0.0.1", backend.port())))));
    dev.spillway.core.config.GatewayConfig base = MonitoringFixture.gatewayConfig(deadPort1, null);
    dev.spillway.core.config.RouteConfig route = base.routes().get(0).withTiers(java.util.List.of(
        dev.spillway.core.config.FailoverTierConfig.of("b"), dev.spillway.core.config.FailoverTierConfig.of("spare")));
    dev.spillway.core.config.GatewayConfig withFallback = new dev.spillway.core.config.GatewayConfig(base.server(),
        renamed(backends), java.util.List.of(route));
    try (MonitoringFixture f = new MonitoringFixture(deadPort1, null, LoadedConfig.of(withFallback))) {
      for (int i = 0; i < 4; i++) {
        HttpResponse<String> r = f.chat();
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-spillway-backend")).hasValueSatisfying(v -> assertThat(v).startsWith("spare/"));
      }
      f.awaitRecords(4);
      f.seconds(1);

      JsonNode status = JSON.readTree(f.admin("/status", true).body());
      assertThat(status.at("/routes/0/reason").asText()).startsWith("served by fallback spare");
      assertThat(status.at("/routes/0/servedByFallback").asText()).isEqualTo("spare");
      assertThat(status.at("/backends/0/name").asText()).isEqualTo("b");
      assertThat(status.at("/backends/0/state").asText()).isEqualTo("outage");
      assertThat(status.at("/backends/1/name").asText()).isEqualTo("spare");
      assertThat(status.at("/backends/1/state").asText()).isEqualTo("operational");
      assertThat(status.at("/state").asText()).isEqualTo("outage");
      JsonNode incidents = JSON.readTree(f.admin("/incidents", true).body()).get("incidents");
      assertThat(incidents.toString()).contains("failover").contains("route chat").contains("backend b");
      String metrics = f.admin("/metrics", true).body();
      assertThat(sample(metrics, "spillway_fallback_requests_total", "route=\"chat\"", "backend=\"spare\""))
          .isEqualTo(4.0);
      assertThat(sample(metrics, "spillway_component_state", "kind=\"backend\"", "name=\"b\"")).isEqualTo(3.0);
      assertThat(sample(metrics, "spillway_component_state", "kind=\"backend\"", "name=\"spare\"")).isEqualTo(0.0);
      assertThat(sample(metrics, "spillway_component_state", "kind=\"route\"", "name=\"chat\"")).isEqualTo(1.0);
      double refused = sample(metrics, "spillway_upstream_attempts_total", "backend=\"b\"",
          "endpoint=\"http://127.0.0.1:" + deadPort1 + "\"", "outcome=\"connect_failed\"")
          + sample(metrics, "spillway_upstream_attempts_total", "backend=\"b\"",
          "endpoint=\"http://127.0.0.1:" + deadPort2 + "\"", "outcome=\"connect_failed\"");
      assertThat(refused).as("failed attempts on the primary, though no request ended there").isGreaterThan(0);
      assertThat(sample(metrics, "spillway_upstream_attempts_total", "backend=\"spare\"",
          "outcome=\"success\"")).isEqualTo(4.0);
    }
  }

  @Test
  void fallbackBackendsAreHealthCheckedAndTheirOutageShows() throws Exception {
    int deadPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }
    dev.spillway.core.config.ResilienceConfig fastChecks = new dev.spillway.core.config.ResilienceConfig(
        dev.spillway.core.config.ResilienceConfig.DEFAULT_BALANCING, dev.spillway.core.config.BreakerConfig.DEFAULTS,
        new dev.spillway.core.config.HealthCheckConfig(true, "/health", Duration.ofMillis(50), 0.1,
            Duration.ofMillis(500), 1, 1),
        dev.spillway.core.config.OutlierConfig.DEFAULTS, dev.spillway.core.config.ResilienceConfig.DEFAULT_MAX_EJECTED_PERCENT,
        dev.spillway.core.config.ResilienceConfig.DEFAULT_MAX_COOLDOWN);
    java.util.Map<String, dev.spillway.core.config.BackendConfig> backends = new java.util.LinkedHashMap<>();
    backends.put("b", MonitoringFixture.gatewayConfig(backend.port(), null).backends().get("b"));
    backends.put("spare", MonitoringFixture.gatewayConfig(deadPort, null).backends().get("b")
        .withResilience(fastChecks));
    dev.spillway.core.config.GatewayConfig base = MonitoringFixture.gatewayConfig(backend.port(), null);
    dev.spillway.core.config.RouteConfig route = base.routes().get(0).withTiers(java.util.List.of(
        dev.spillway.core.config.FailoverTierConfig.of("b"), dev.spillway.core.config.FailoverTierConfig.of("spare")));
    dev.spillway.core.config.GatewayConfig withFallback = new dev.spillway.core.config.GatewayConfig(base.server(),
        renamed(backends), java.util.List.of(route));
    try (MonitoringFixture f = new MonitoringFixture(backend.port(), null, LoadedConfig.of(withFallback))) {
      String healthy = "";
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (System.nanoTime() - deadline < 0) { // real time bounds the probes; the monitor's clock stays fake
        healthy = f.admin("/metrics", true).body();
        if (sample(healthy, "spillway_endpoint_healthy", "backend=\"spare\"") == 0.0) {
          break;
        }
        java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
      }
      assertThat(sample(healthy, "spillway_endpoint_healthy", "backend=\"spare\"")).isEqualTo(0.0);
      f.seconds(1);
      JsonNode status = JSON.readTree(f.admin("/status", true).body());
      assertThat(status.at("/backends/1/name").asText()).isEqualTo("spare");
      assertThat(status.at("/backends/1/state").asText()).isEqualTo("outage");
      assertThat(status.at("/backends/1/reason").asText()).contains("failing health checks");
      assertThat(status.at("/backends/1/endpoints/available").asInt()).isZero();
    }
  }

  /** Backends keyed by name must carry that name. */
  private static java.util.Map<String, dev.spillway.core.config.BackendConfig> renamed(
      java.util.Map<String, dev.spillway.core.config.BackendConfig> backends) {
    java.util.Map<String, dev.spillway.core.config.BackendConfig> out = new java.util.LinkedHashMap<>();
    backends.forEach((name, b) -> out.put(name, new dev.spillway.core.config.BackendConfig(name,
        b.endpointConfigs(), b.connectTimeout(), b.responseTimeout(), b.idleTimeout(), b.requestTimeout(), b.pool(),
        b.concurrency(), b.waitingRoom(), b.resilience())));
    return out;
  }

  @Test
  void readyzAnswers503WhileDraining() throws Exception {
    MonitoringFixture f = new MonitoringFixture(backend, null, null);
    try {
      assertThat(f.admin("/readyz", false).statusCode()).isEqualTo(200);
      assertThat(f.admin("/healthz", false).statusCode()).isEqualTo(200);

      f.gateway.shutdown();

      HttpResponse<String> ready = f.admin("/readyz", false);
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.body()).contains("draining");
      assertThat(f.admin("/healthz", false).statusCode()).isEqualTo(200);
    } finally {
      f.close();
    }
  }

  @Test
  void adminRequiresTheTokenAndConfigIsRedacted() throws Exception {
    try (MonitoringFixture f = new MonitoringFixture(backend, null, null)) {
      for (String path : List.of("/", "/metrics", "/status", "/incidents", "/config", "/api/dashboard")) {
        HttpResponse<String> denied = f.admin(path, false);
        assertThat(denied.statusCode()).as(path).isEqualTo(401);
        assertThat(denied.headers().firstValue("www-authenticate")).as(path).isPresent();
      }
      assertThat(f.admin("/?token=" + MonitoringFixture.TOKEN, false).statusCode()).isEqualTo(200);
      assertThat(f.admin("/?token=wrong", false).statusCode()).isEqualTo(401);

      HttpResponse<String> config = f.admin("/config", true);
      assertThat(config.statusCode()).isEqualTo(200);
      assertThat(config.body()).doesNotContain(MonitoringFixture.TOKEN);
      JsonNode tree = JSON.readTree(config.body());
      assertThat(tree.at("/admin/tokenSet").asBoolean()).isTrue();
      assertThat(tree.at("/gateway/routes/0/name").asText()).isEqualTo("chat");
    }
  }

  /** The value of the one sample of {@code name} whose labels include all of {@code labels}. */
  static double sample(String metrics, String name, String... labels) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$").matcher(metrics);
    List<Double> found = new ArrayList<>();
    while (m.find()) {
      String l = m.group(1);
      boolean all = true;
      for (String label : labels) {
        all &= l.contains(label);
      }
      if (all) {
        found.add(Double.parseDouble(m.group(2)));
      }
    }
    assertThat(found).as(name + " with " + String.join(",", labels) + " in\n" + metrics).hasSize(1);
    return found.get(0);
  }
}
