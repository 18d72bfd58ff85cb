package dev.spillway.server.admin;

import dev.spillway.core.Gateway;
import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.EndpointAddress;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.config.PoolConfig;
import dev.spillway.core.config.RouteConfig;
import dev.spillway.core.config.RouteMatch;
import dev.spillway.core.config.ServerConfig;
import dev.spillway.core.config.WaitingRoomConfig;
import dev.spillway.core.time.FakeTicker;
import dev.spillway.server.config.AdminConfig;
import dev.spillway.server.config.LoadedConfig;
import dev.spillway.server.config.PublicPageConfig;
import dev.spillway.server.config.StatusConfig;
import dev.spillway.server.mock.MockBackend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/**
 * A gateway in front of a mock backend, with monitoring on a fake ticker (pumped by hand) and an admin server,
 * all on ephemeral loopback ports.
 */
final class MonitoringFixture implements AutoCloseable {
  static final String TOKEN = "s3cret-admin-token";
  static final Duration WINDOW = Duration.ofSeconds(10);
  static final Duration RESOLVE_AFTER = Duration.ofSeconds(5);

  final FakeTicker ticker = new FakeTicker();
  final Gateway gateway;
  final Monitoring monitoring;
  final AdminServer admin;
  final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  /** @param concurrency the backend's limit, or {@code null} for none; its waiting room holds one request */
  MonitoringFixture(MockBackend backend, ConcurrencyConfig concurrency, LoadedConfig base)
      throws InterruptedException {
    this(backend.port(), concurrency, base);
  }

  /** A gateway whose one backend endpoint is whatever listens on {@code backendPort}. */
  MonitoringFixture(int backendPort, ConcurrencyConfig concurrency, LoadedConfig base) throws InterruptedException {
    LoadedConfig config = (base == null ? LoadedConfig.of(gatewayConfig(backendPort, concurrency)) : base)
        .withAdmin(AdminConfig.DEFAULTS.withPort(0).withToken(TOKEN))
        .withStatus(new StatusConfig(WINDOW, 1, 0.05, 0.5, 0.01, RESOLVE_AFTER, Duration.ofSeconds(30), 10)
            .withPublicPage(base == null ? PublicPageConfig.DISABLED : base.status().publicPage()));
    monitoring = Monitoring.create(config, ticker, Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"),
        ZoneOffset.UTC));
    gateway = Gateway.start(config.gateway(), monitoring.observer(), monitoring.endpointEvents());
    monitoring.attach(gateway);
    admin = AdminServer.start(config.admin(), monitoring);
  }

  static GatewayConfig gatewayConfig(int backendPort, ConcurrencyConfig concurrency) {
    ServerConfig d = ServerConfig.DEFAULTS;
    ServerConfig server = new ServerConfig("127.0.0.1", 0, Duration.ofSeconds(10), d.maxInitialLineLength(),
        d.maxHeaderSize(), 1 << 20, Duration.ofSeconds(5), 2, true)
        .withHeaderHygiene(ServerConfig.DEFAULT_MAX_HEADER_COUNT,
            dev.spillway.core.config.ForwardedHeadersConfig.DEFAULTS, true);
    BackendConfig backend = new BackendConfig("b", List.of(new EndpointAddress("127.0.0.1", backendPort)),
        Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofMinutes(1),
        PoolConfig.DEFAULTS);
    if (concurrency != null) {
      backend = backend.withConcurrency(concurrency, new WaitingRoomConfig(1, Duration.ofSeconds(5),
          WaitingRoomConfig.defaultShares(), WaitingRoomConfig.DEFAULT_CODEL_TARGET,
          WaitingRoomConfig.DEFAULT_CODEL_INTERVAL));
    }
    return new GatewayConfig(server, Map.of("b", backend),
        List.of(new RouteConfig("chat", new RouteMatch(null, "/"), "b")));
  }

  HttpResponse<String> chat() throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port()
            + "/v1/chat/completions")).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"mock-gpt\",\"max_tokens\":4,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  /** {@code POST path} on the admin server with a JSON body. */
  HttpResponse<String> post(String path, String json, boolean withToken) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + path))
        .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json));
    if (withToken) {
      b.header("Authorization", "Bearer " + TOKEN);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> admin(String path, boolean withToken) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + path))
        .timeout(Duration.ofSeconds(10));
    if (withToken) {
      b.header("Authorization", "Bearer " + TOKEN);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Pumps until {@code n} records have arrived: the gateway reports an exchange just after the client got the
   * last byte, so a test may see the response first. Real time bounds the wait; the monitor's clock stays fake.
   */
  void awaitRecords(long n) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    monitoring.pump();
    while (monitoring.recordsSeen() < n) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("only " + monitoring.recordsSeen() + " of " + n + " records arrived");
      }
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
      monitoring.pump();
    }
  }

  /** Advances fake time one second at a time, pumping the monitor after each. */
  void seconds(int n) {
    for (int i = 0; i < n; i++) {
      ticker.advance(Duration.ofSeconds(1));
      monitoring.pump();
    }
  }

  @Override
  public void close() {
    admin.close();
    gateway.shutdown().join();
    monitoring.close();
  }
}
