package dev.spillway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.AdmissionConfig;
import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.BandwidthConfig;
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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Inventing API keys is no way around a route's limits. */
class IdentityAbuseTest {

  @Test
  void fiftyFreshRandomKeysOnADefaultTierOfFivePerMinuteGetFiveAdmissions() {
    LimitConfig rpm = new LimitConfig("rpm", LimitUnit.REQUESTS,
        List.of(new BandwidthConfig(5, Duration.ofMinutes(1))), true);
    TierConfig free = new TierConfig("free", PriorityClass.STANDARD, List.of(rpm));
    AdmissionConfig admission = new AdmissionConfig(IdentityConfig.DEFAULTS, false, "free", List.of(),
        TokenEstimationConfig.DEFAULTS, RejectionConfig.DEFAULTS);
    BackendConfig backend = BackendConfig.of("b", List.of(new EndpointAddress("10.0.0.1", 8000)));
    GatewayConfig config = new GatewayConfig(ServerConfig.DEFAULTS, Map.of("b", backend),
        List.of(new RouteConfig("chat", new RouteMatch(null, "/"), "b", admission)),
        Map.of("free", free), List.of(), LimiterCacheConfig.DEFAULTS);
    int admitted = 0;
    int limited = 0;
    try (EmbeddedProxy proxy = new EmbeddedProxy(config)) {
      for (int i = 0; i < 50; i++) {
        proxy.clientSends("GET /v1/models HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer sk-" + UUID.randomUUID()
            + "\r\n\r\n");
        String answer = proxy.clientReceived();
        if (answer.isEmpty()) {
          assertThat(proxy.upstreamReceived()).startsWith("GET /v1/models ");
          proxy.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");
          answer = proxy.clientReceived();
        }
        if (answer.startsWith("HTTP/1.1 200 ")) {
          admitted++;
        } else if (answer.startsWith("HTTP/1.1 429 ")) {
          limited++;
        }
      }
    }
    assertThat(admitted).isEqualTo(5);
    assertThat(limited).isEqualTo(45);
  }
}
