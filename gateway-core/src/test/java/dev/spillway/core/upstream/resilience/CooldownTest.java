package dev.spillway.core.upstream.resilience;

import dev.spillway.core.attempt.AttemptOutcome;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.Balancing;
import dev.spillway.core.config.HealthCheckConfig;
import dev.spillway.core.config.ResilienceConfig;
import dev.spillway.core.time.FakeTicker;
import dev.spillway.core.upstream.Endpoint;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CooldownTest {
  private static final Clock WALL = Clock.fixed(Instant.parse("2015-10-21T07:28:00Z"), ZoneOffset.UTC);
  private static final long SECOND = 1_000_000_000L;

  private final FakeTicker ticker = new FakeTicker();
  private final List<Duration> cooldowns = new ArrayList<>();
  private final EndpointGroup group = new EndpointGroup(Groups.endpoints(1),
      Groups.breakerOnly(Balancing.ROUND_ROBIN), ticker, WALL, new EndpointEventListener() {
        @Override
        public void onCooldown(Endpoint endpoint, Duration length) {
          cooldowns.add(length);
        }
      }, new Random(1));

  @Test
  void retryAfterCoolsTheEndpointDownAndTheLatestEndWins() {
    EndpointAttempt a = group.acquire();
    EndpointAttempt b = group.acquire();
    a.onResponseHeaders(429, headers("retry-after", "10"));
    a.onSuccess(1);
    ticker.advance(Duration.ofSeconds(1));
    b.onResponseHeaders(503, headers("retry-after", "3"));
    b.onFailure(AttemptOutcome.STATUS_OTHER, 1);
    assertThat(cooldowns).containsExactly(Duration.ofSeconds(10));
    ticker.advance(Duration.ofSeconds(9).minusNanos(1));
    assertThat(group.acquire()).isNull();
    ticker.advanceNanos(1);
    assertThat(group.acquire()).isNotNull();
  }

  @Test
  void aLaterEndReplacesAnEarlierOne() {
    EndpointAttempt a = group.acquire();
    EndpointAttempt b = group.acquire();
    a.onResponseHeaders(429, headers("x-ratelimit-reset-requests", "2s"));
    b.onResponseHeaders(429, headers("x-ratelimit-reset-requests", "1m0s"));
    ticker.advance(Duration.ofSeconds(59));
    assertThat(group.acquire()).isNull();
    ticker.advance(Duration.ofSeconds(1));
    assertThat(group.acquire()).isNotNull();
    assertThat(cooldowns).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(60));
  }

  @Test
  void onlyTooManyRequestsAndUnavailablePause() {
    group.acquire().onResponseHeaders(500, headers("retry-after", "10"));
    group.acquire().onResponseHeaders(200, headers("retry-after", "10"));
    assertThat(cooldowns).isEmpty();
  }

  @Test
  void cooldownIsCappedByMaxCooldown() {
    ResilienceConfig capped = new ResilienceConfig(Balancing.ROUND_ROBIN, Groups.breaker(),
        HealthCheckConfig.DEFAULTS, Groups.outlier(), 50, Duration.ofSeconds(30));
    EndpointGroup g = new EndpointGroup(Groups.endpoints(1), capped, ticker, WALL, EndpointEventListener.NOOP,
        new Random(1));
    g.acquire().onResponseHeaders(429, headers("retry-after", "86400"));
    ticker.advance(Duration.ofSeconds(30));
    assertThat(g.acquire()).isNotNull();
  }

  @Test
  void retryAfterSecondsDatesAndGarbage() {
    assertThat(RetryAfter.parseNanos("120", WALL)).isEqualTo(120 * SECOND);
    assertThat(RetryAfter.parseNanos(" 1.5 ", WALL)).isEqualTo(1_500_000_000L);
    assertThat(RetryAfter.parseNanos("0", WALL)).isZero();
    assertThat(RetryAfter.parseNanos("Wed, 21 Oct 2015 07:28:30 GMT", WALL)).isEqualTo(30 * SECOND);
    assertThat(RetryAfter.parseNanos("Wed, 21 Oct 2015 07:27:00 GMT", WALL)).as("past date").isZero();
    for (String garbage : new String[] {null, "", "  ", "soon", "-5", "1e3", "10s", "Wed, 32 Oct 2015 x",
        "12 apples"}) {
      assertThat(RetryAfter.parseNanos(garbage, WALL)).as(garbage).isEqualTo(RetryAfter.INVALID);
    }
    assertThat(RetryAfter.parseMillisNanos("250")).isEqualTo(250_000_000L);
    assertThat(RetryAfter.parseMillisNanos("x")).isEqualTo(RetryAfter.INVALID);
  }

  @Test
  void goDurations() {
    assertThat(GoDurationParser.parseNanos("1s")).isEqualTo(SECOND);
    assertThat(GoDurationParser.parseNanos("6m0s")).isEqualTo(360 * SECOND);
    assertThat(GoDurationParser.parseNanos("12ms")).isEqualTo(12_000_000L);
    assertThat(GoDurationParser.parseNanos("9.816s")).isEqualTo(9_816_000_000L);
    assertThat(GoDurationParser.parseNanos("1h2m0.3s")).isEqualTo(3720 * SECOND + 300_000_000L);
    assertThat(GoDurationParser.parseNanos("0.5ms")).isEqualTo(500_000L);
    assertThat(GoDurationParser.parseNanos("250us")).isEqualTo(250_000L);
    assertThat(GoDurationParser.parseNanos("250\u00b5s")).isEqualTo(250_000L);
    assertThat(GoDurationParser.parseNanos("7ns")).isEqualTo(7L);
    assertThat(GoDurationParser.parseNanos("0")).isZero();
    for (String garbage : new String[] {null, "", "s", "1", "-1s", "1x", "1.2.3s", "ms", "1s2", "1 s"}) {
      assertThat(GoDurationParser.parseNanos(garbage)).as(garbage).isEqualTo(GoDurationParser.INVALID);
    }
  }

  @Test
  void goDurationsReadWhatTheFormatterWrites() {
    Random random = new Random(7);
    for (int i = 0; i < 10_000; i++) {
      long nanos = (long) (Math.pow(10, random.nextDouble() * 13));
      String text = dev.spillway.core.admission.reject.GoDurations.format(nanos);
      long back = GoDurationParser.parseNanos(text);
      assertThat(back).as(text).isGreaterThanOrEqualTo(nanos - 1).isLessThanOrEqualTo(nanos + 1_000_000);
    }
  }

  @Test
  void pauseFromHeaders() {
    assertThat(UpstreamPause.pauseNanos(429, headers("retry-after-ms", "1500", "retry-after", "9"), WALL))
        .isEqualTo(1_500_000_000L);
    assertThat(UpstreamPause.pauseNanos(429, headers("retry-after", "junk", "x-ratelimit-reset-tokens", "6m0s"),
        WALL)).isEqualTo(360 * SECOND);
    HttpHeaders both = headers("x-ratelimit-reset-requests", "1s", "x-ratelimit-reset-tokens", "6m0s");
    assertThat(UpstreamPause.pauseNanos(429, both, WALL)).as("both may be out").isEqualTo(360 * SECOND);
    both.set("x-ratelimit-remaining-requests", "0").set("x-ratelimit-remaining-tokens", "5000");
    assertThat(UpstreamPause.pauseNanos(429, both, WALL)).as("requests are out").isEqualTo(SECOND);
    both.set("x-ratelimit-remaining-requests", "3");
    assertThat(UpstreamPause.pauseNanos(429, both, WALL)).as("request too big").isEqualTo(SECOND);
    assertThat(UpstreamPause.pauseNanos(429, headers(), WALL)).isEqualTo(UpstreamPause.NONE);
    assertThat(UpstreamPause.remainingRequests(headers("x-ratelimit-remaining-requests", "59"))).isEqualTo(59);
    assertThat(UpstreamPause.remainingRequests(headers())).isEqualTo(UpstreamPause.UNKNOWN);
  }

  static HttpHeaders headers(String... nameValues) {
    HttpHeaders h = new DefaultHttpHeaders();
    for (int i = 0; i < nameValues.length; i += 2) {
      h.add(nameValues[i], nameValues[i + 1]);
    }
    return h;
  }
}
