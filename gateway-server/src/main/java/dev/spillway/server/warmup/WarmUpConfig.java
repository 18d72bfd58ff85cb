package dev.spillway.server.warmup;

import dev.spillway.core.config.AdmissionConfig;
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
import dev.spillway.core.config.TierConfig;
import dev.spillway.core.config.TokenEstimationConfig;
import dev.spillway.core.config.WaitingRoomConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The warm-up's private gateway config: the running {@code server} settings (so the codec parses with the
 * same limits), one backend whose single concurrency slot the warm-up holds and whose waiting room takes
 * nobody (every request that reaches it is shed at once), and two routes to it: {@link #LIMITED_PATH} with a
 * route-wide request limit of one per hour (429 once spent), {@link #SHED_PATH} without admission settings
 * (503 from the backend's limit). Every other path matches no route (404).
 *
 * <p>The backend's endpoint is never dialled: the warm-up's connection provider refuses every connection.
 */
final class WarmUpConfig {
  static final String BACKEND = "spillway-warm-up";
  static final String LIMITED_PATH = "/warm-up/limited/";
  static final String SHED_PATH = "/warm-up/shed/";
  private static final String TIER = "warm-up";

  private WarmUpConfig() {}

  static GatewayConfig of(ServerConfig server) {
    WaitingRoomConfig noRoom = new WaitingRoomConfig(0, WaitingRoomConfig.DEFAULT_MAX_WAIT,
        WaitingRoomConfig.defaultShares(), WaitingRoomConfig.DEFAULT_CODEL_TARGET,
        WaitingRoomConfig.DEFAULT_CODEL_INTERVAL);
    // The discard port of this host: documentation of intent, since nothing connects anywhere.
    BackendConfig backend = BackendConfig.of(BACKEND, List.of(new EndpointAddress("127.0.0.1", 9)))
        .withConcurrency(ConcurrencyConfig.fixed(1), noRoom);
    LimitConfig onePerHour = new LimitConfig("warm-up", LimitUnit.REQUESTS,
        List.of(new BandwidthConfig(1, Duration.ofHours(1))), true);
    AdmissionConfig admission = new AdmissionConfig(IdentityConfig.DEFAULTS, false, TIER, List.of(onePerHour),
        TokenEstimationConfig.DEFAULTS, RejectionConfig.DEFAULTS);
    List<RouteConfig> routes = List.of(
        new RouteConfig("warm-up-limited", new RouteMatch(null, LIMITED_PATH), BACKEND, admission),
        new RouteConfig("warm-up-shed", new RouteMatch(null, SHED_PATH), BACKEND));
    return new GatewayConfig(server, Map.of(BACKEND, backend), routes,
        Map.of(TIER, new TierConfig(TIER, PriorityClass.STANDARD, List.of())), List.of(),
        LimiterCacheConfig.DEFAULTS);
  }
}
