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
import org.junit.jupiter.api.Test;

/** {@code 100 Continue} is sent only once admission lets the request in (RFC 9110 §10.1.1). */
class ExpectContinueTest {
  private static final String BODY = "{\"model\":\"m\"}";
  private static final String HEAD = "POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nContent-Type: application/json"
      + "\r\nExpect: 100-continue\r\nContent-Length: " + BODY.length() + "\r\n\r\n";

  /** One request a minute for everyone. */
  private static GatewayConfig oneRequestPerMinute() {
    LimitConfig rpm = new LimitConfig("rpm", LimitUnit.REQUESTS,
        List.of(new BandwidthConfig(1, Duration.ofMinutes(1))), true);
    TierConfig free = new TierConfig("free", PriorityClass.STANDARD, List.of(rpm));
    AdmissionConfig admission = new AdmissionConfig(IdentityConfig.DEFAULTS, false, "free", List.of(),
        TokenEstimationConfig.DEFAULTS, RejectionConfig.DEFAULTS);
    BackendConfig backend = BackendConfig.of("b", List.of(new EndpointAddress("10.0.0.1", 8000)));
    return new GatewayConfig(ServerConfig.DEFAULTS, Map.of("b", backend),
        List.of(new RouteConfig("chat", new RouteMatch(null, "/"), "b", admission)),
        Map.of("free", free), List.of(), LimiterCacheConfig.DEFAULTS);
  }

  @Test
  void anAdmittedRequestGetsContinueAndIsForwarded() {
    try (EmbeddedProxy proxy = new EmbeddedProxy(oneRequestPerMinute())) {
      proxy.clientSends(HEAD);
      assertThat(proxy.clientReceived()).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
      proxy.clientSends(BODY);
      assertThat(proxy.upstreamReceived()).startsWith("POST /v1/chat/completions ").endsWith(BODY);
      proxy.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 200 ");
    }
  }

  @Test
  void aRejectedRequestGetsNoContinueItsAnswerAndAClose() {
    try (EmbeddedProxy proxy = new EmbeddedProxy(oneRequestPerMinute())) {
      proxy.clientSends(HEAD + BODY);
      proxy.clientReceived();
      proxy.upstreamReceived();
      proxy.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");
      assertThat(proxy.clientReceived()).startsWith("HTTP/1.1 200 ");

      proxy.clientSends(HEAD);
      String rejected = proxy.clientReceived();
      assertThat(rejected).as("no body is asked for just to be dropped").startsWith("HTTP/1.1 429 ")
          .doesNotContain("100 Continue").containsIgnoringCase("connection: close");
      assertThat(proxy.client.isOpen())
          .as("the client may or may not send the body now: the connection cannot be reused").isFalse();
      assertThat(proxy.upstreams).hasSize(1);
    }
  }
}
