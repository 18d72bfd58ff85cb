package dev.spillway.server.cli;

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
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The demo's gateway config: both mock backends behind one route with admission control, so a newcomer sees
 * rate-limit headers, 429s and the waiting room at work. Any key (or none) gets the {@code demo} tier; the key
 * {@value #VIP_KEY} belongs to a tenant of the {@code vip} tier.
 */
final class DemoConfig {
  static final String VIP_KEY = "sk-vip-demo";
  static final int DEMO_REQUESTS_PER_MINUTE = 30;

  private DemoConfig() {}

  static GatewayConfig gatewayConfig(int gatewayPort, int backendA, int backendB) {
    BackendConfig backend = BackendConfig.of("mock", List.of(
            new EndpointAddress("127.0.0.1", backendA), new EndpointAddress("127.0.0.1", backendB)))
        .withConcurrency(ConcurrencyConfig.fixed(16), new WaitingRoomConfig(32, Duration.ofSeconds(5),
            WaitingRoomConfig.defaultShares(), WaitingRoomConfig.DEFAULT_CODEL_TARGET,
            WaitingRoomConfig.DEFAULT_CODEL_INTERVAL));
    TierConfig demo = new TierConfig("demo", PriorityClass.STANDARD, List.of(
        limit("requests", LimitUnit.REQUESTS, DEMO_REQUESTS_PER_MINUTE + "/1m"),
        limit("tokens", LimitUnit.TOKENS, "20000/1m")));
    TierConfig vip = new TierConfig("vip", PriorityClass.CRITICAL, List.of(
        limit("requests", LimitUnit.REQUESTS, "600/1m"),
        limit("tokens", LimitUnit.TOKENS, "400000/1m")));
    TenantConfig vipTenant = new TenantConfig("vip-tenant", "vip", List.of(ApiKeys.sha256Hex(VIP_KEY)));
    AdmissionConfig admission = new AdmissionConfig(IdentityConfig.DEFAULTS, false, "demo", List.of(),
        TokenEstimationConfig.DEFAULTS, RejectionConfig.DEFAULTS);
    ServerConfig server = ServerConfig.DEFAULTS.withHost("127.0.0.1").withPort(gatewayPort)
        .withShutdownTimeout(Duration.ofSeconds(5));
    return new GatewayConfig(server, Map.of("mock", backend),
        List.of(new RouteConfig("openai", new RouteMatch(null, "/"), "mock", admission)),
        Map.of("demo", demo, "vip", vip), List.of(vipTenant), LimiterCacheConfig.DEFAULTS);
  }

  private static LimitConfig limit(String name, LimitUnit unit, String bandwidth) {
    return new LimitConfig(name, unit, List.of(BandwidthConfig.parse(bandwidth)), true);
  }
}
