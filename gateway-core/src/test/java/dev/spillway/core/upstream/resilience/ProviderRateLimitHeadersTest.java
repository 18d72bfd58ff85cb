package dev.spillway.core.upstream.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The pause read from hosted providers' rate-limit headers: Anthropic's resets and its 529. */
class ProviderRateLimitHeadersTest {
  private static final Clock WALL = Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC);

  @Test
  void anthropicPausesUntilTheResetOfTheExhaustedLimit() {
    HttpHeaders headers = new DefaultHttpHeaders()
        .set("anthropic-ratelimit-requests-remaining", "10")
        .set("anthropic-ratelimit-requests-reset", "2025-01-01T00:00:05Z")
        .set("anthropic-ratelimit-tokens-remaining", "0")
        .set("anthropic-ratelimit-tokens-reset", "2025-01-01T00:00:30Z");

    assertThat(UpstreamPause.pauseNanos(429, headers, WALL)).isEqualTo(TimeUnit.SECONDS.toNanos(30));
  }

  @Test
  void anthropicWithHeadroomEverywhereTakesTheEarliestReset() {
    HttpHeaders headers = new DefaultHttpHeaders()
        .set("anthropic-ratelimit-input-tokens-remaining", "5")
        .set("anthropic-ratelimit-input-tokens-reset", "2025-01-01T00:00:07Z")
        .set("anthropic-ratelimit-output-tokens-remaining", "5")
        .set("anthropic-ratelimit-output-tokens-reset", "2025-01-01T00:00:02Z");

    assertThat(UpstreamPause.pauseNanos(429, headers, WALL)).isEqualTo(TimeUnit.SECONDS.toNanos(2));
  }

  @Test
  void retryAfterWinsOverAnthropicResets() {
    HttpHeaders headers = new DefaultHttpHeaders()
        .set("retry-after", "3")
        .set("anthropic-ratelimit-requests-remaining", "0")
        .set("anthropic-ratelimit-requests-reset", "2025-01-01T00:01:00Z");

    assertThat(UpstreamPause.pauseNanos(429, headers, WALL)).isEqualTo(TimeUnit.SECONDS.toNanos(3));
  }

  @Test
  void anthropicOverloaded529PausesForItsRetryAfter() {
    HttpHeaders headers = new DefaultHttpHeaders().set("retry-after", "4");

    assertThat(UpstreamPause.pauseNanos(529, headers, WALL)).isEqualTo(TimeUnit.SECONDS.toNanos(4));
    assertThat(UpstreamPause.pauseNanos(500, headers, WALL)).isEqualTo(UpstreamPause.NONE);
  }

  @Test
  void openAiResetsStillTakePrecedenceAndUnreadableAnthropicValuesAreIgnored() {
    HttpHeaders headers = new DefaultHttpHeaders()
        .set("x-ratelimit-reset-requests", "1s")
        .set("anthropic-ratelimit-requests-reset", "2025-01-01T00:01:00Z");
    assertThat(UpstreamPause.pauseNanos(429, headers, WALL)).isEqualTo(TimeUnit.SECONDS.toNanos(1));

    HttpHeaders garbage = new DefaultHttpHeaders().set("anthropic-ratelimit-requests-reset", "soon");
    assertThat(UpstreamPause.pauseNanos(429, garbage, WALL)).isEqualTo(UpstreamPause.NONE);
  }
}
