package dev.spillway.core.admission.ratelimit;

import static dev.spillway.core.admission.ratelimit.LimiterFixtures.requests;
import static dev.spillway.core.admission.ratelimit.LimiterFixtures.tenant;
import static dev.spillway.core.admission.ratelimit.LimiterFixtures.tier;
import static dev.spillway.core.admission.ratelimit.LimiterFixtures.tokens;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.admission.Tenant;
import dev.spillway.core.admission.reject.RejectionResponses;
import dev.spillway.core.config.RejectionConfig;
import dev.spillway.core.config.TierConfig;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The headers of a real limiter's decisions over limits of several bandwidths: limit, remaining and reset
 * from one bandwidth, and on a refusal {@code RateLimit}'s {@code t} equal to {@code Retry-After}.
 */
class RateLimitHeadersAgreementTest {
  private final LimiterFixtures fx = new LimiterFixtures();
  private final RejectionResponses responses = new RejectionResponses(RejectionConfig.DEFAULTS);

  @Test
  void aRefusalNamesTheRefusingBandwidthAndItsWaitEverywhere() {
    TierConfig tier = tier(List.of(requests("rpm", "600/1m", "20/s"), tokens("tpm", "100000/1m")));
    RouteRateLimiter limiter = fx.limiter(tier, List.of());
    Tenant a = tenant("a", tier);
    for (int i = 0; i < 20; i++) {
      assertThat(limiter.acquire(a, 10).admitted()).isTrue();
    }
    fx.ticker.advance(Duration.ofMillis(10));

    RateDecision refused = limiter.acquire(a, 10);
    assertThat(refused.admitted()).isFalse();
    FullHttpResponse response = responses.build(refused.reason(), refused.status(), refused.retryAfterNanos(),
        refused.retryPointless(), false, HttpVersion.HTTP_1_1, "req", false);
    try {
      HttpHeaders h = response.headers();
      assertThat(h.get("x-ratelimit-limit-requests")).isEqualTo("20");
      assertThat(h.get("x-ratelimit-remaining-requests")).isEqualTo("0");
      assertThat(h.get("x-ratelimit-reset-requests")).isEqualTo("40ms");
      assertThat(h.get("retry-after")).isEqualTo("1");
      assertThat(h.get("ratelimit")).isEqualTo("\"rpm\";r=0;t=1");
      assertThat(h.get("ratelimit-policy")).startsWith("\"rpm\";q=20;w=1, \"tpm\";q=100000;qu=\"tokens\";w=60");
    } finally {
      response.release();
    }
  }

  @Test
  void anAdmissionReportsTheTighterBandwidthWhole() {
    TierConfig tier = tier(List.of(requests("rpm", "600/1m", "20/s")));
    RouteRateLimiter limiter = fx.limiter(tier, List.of());
    Tenant a = tenant("a", tier);

    HttpHeaders h = new io.netty.handler.codec.http.DefaultHttpHeaders();
    dev.spillway.core.admission.reject.RateLimitHeaders.apply(h, limiter.acquire(a, 0).status());
    assertThat(h.get("x-ratelimit-limit-requests")).isEqualTo("20");
    assertThat(h.get("x-ratelimit-remaining-requests")).isEqualTo("19");
    assertThat(h.get("ratelimit")).isEqualTo("\"rpm\";r=19;t=1");
    assertThat(h.get("ratelimit-policy")).isEqualTo("\"rpm\";q=20;w=1");
  }
}
