package dev.spillway.core.admission.reject;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.admission.ratelimit.RateDecision;
import dev.spillway.core.admission.ratelimit.RateLimitStatus;
import dev.spillway.core.admission.ratelimit.RateLimitStatus.UnitStatus;
import dev.spillway.core.config.LimitUnit;
import dev.spillway.core.config.RejectionConfig;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnthropicRejectionsTest {
  private static final long MS = 1_000_000L;
  private static final long S = 1_000_000_000L;
  /** 2026-12-03T08:40:00.250Z */
  private static final long NOW = Instant.parse("2026-12-03T08:40:00.250Z").toEpochMilli();

  private static RateLimitStatus status() {
    return new RateLimitStatus(new UnitStatus(50, 0, 1_200 * MS), new UnitStatus(40_000, 500, 60 * S), List.of());
  }

  private static RejectionResponses responses(int overloadedStatus) {
    RejectionConfig config = new RejectionConfig(429, overloadedStatus, RejectionConfig.DEFAULT_RATE_LIMITED_MESSAGE,
        "Overloaded \"now\"");
    return new RejectionResponses(config, base -> base, () -> NOW);
  }

  private static FullHttpResponse build(RejectionResponses r, ShedReason reason, long retryNanos) {
    return r.build(reason, status(), retryNanos, false, false, HttpVersion.HTTP_1_1, "req-1", false, null,
        RejectionShape.ANTHROPIC);
  }

  @Test
  void rateLimitIsAnAnthropicRateLimitErrorWithAnthropicHeaders() {
    FullHttpResponse r = build(responses(529), ShedReason.RATE_LIMITED_REQUESTS, 1_200 * MS);
    try {
      assertThat(r.status().code()).isEqualTo(429);
      assertThat(body(r)).isEqualTo("{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\","
          + "\"message\":\"" + RejectionConfig.DEFAULT_RATE_LIMITED_MESSAGE + "\"}}\n");
      assertThat(r.headers().get("retry-after")).isEqualTo("2");
      assertThat(r.headers().get("retry-after-ms")).isEqualTo("1200");
      assertThat(r.headers().get("anthropic-ratelimit-requests-limit")).isEqualTo("50");
      assertThat(r.headers().get("anthropic-ratelimit-requests-remaining")).isEqualTo("0");
      // 08:40:00.250 + 1.2 s = 08:40:01.450, rounded up to the second.
      assertThat(r.headers().get("anthropic-ratelimit-requests-reset")).isEqualTo("2026-12-03T08:40:02Z");
      assertThat(r.headers().get("anthropic-ratelimit-tokens-limit")).isEqualTo("40000");
      assertThat(r.headers().get("anthropic-ratelimit-tokens-remaining")).isEqualTo("500");
      assertThat(r.headers().get("anthropic-ratelimit-tokens-reset")).isEqualTo("2026-12-03T08:41:01Z");
      // OpenAI's fields stay, for clients that read those.
      assertThat(r.headers().get("x-ratelimit-limit-requests")).isEqualTo("50");
    } finally {
      r.release();
    }
  }

  @Test
  void overloadIsAnOverloadedErrorWithTheConfiguredStatus() {
    FullHttpResponse r = build(responses(529), ShedReason.QUEUE_FULL, 2 * S);
    try {
      assertThat(r.status().code()).isEqualTo(529);
      assertThat(body(r)).isEqualTo("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
          + "\"message\":\"Overloaded \\\"now\\\"\"}}\n");
      assertThat(r.headers().get("retry-after")).isEqualTo("2");
    } finally {
      r.release();
    }
    FullHttpResponse defaults = build(responses(503), ShedReason.QUEUE_TIMEOUT, S);
    try {
      assertThat(defaults.status().code()).isEqualTo(503);
      assertThat(defaults.content().toString(StandardCharsets.UTF_8)).contains("\"overloaded_error\"");
    } finally {
      defaults.release();
    }
  }

  @Test
  void unknownKeyAndOversizeSpeakAnthropicToo() {
    FullHttpResponse key = responses(529).build(ShedReason.UNKNOWN_KEY, RateLimitStatus.NONE, 0, true, false,
        HttpVersion.HTTP_1_1, null, false, null, RejectionShape.ANTHROPIC);
    try {
      assertThat(key.status().code()).isEqualTo(401);
      assertThat(body(key)).isEqualTo(AnthropicRejections.UNKNOWN_KEY_JSON);
    } finally {
      key.release();
    }
    FullHttpResponse never = responses(529).build(ShedReason.RATE_LIMITED_TOKENS, status(), RateDecision.NEVER,
        true, false, HttpVersion.HTTP_1_1, null, false, new RateDecision.Oversize(LimitUnit.TOKENS, 40_000, 41_000),
        RejectionShape.ANTHROPIC);
    try {
      assertThat(body(never)).startsWith("{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",")
          .contains("limit 40000, requested 41000");
      assertThat(never.headers().get("x-should-retry")).isEqualTo("false");
      assertThat(never.headers().contains("retry-after")).isFalse();
    } finally {
      never.release();
    }
  }

  @Test
  void resetTimesAreRfc3339RoundedUpAndCapped() {
    assertThat(AnthropicRejections.rfc3339(NOW, 0)).isEqualTo("2026-12-03T08:40:01Z");
    assertThat(AnthropicRejections.rfc3339(NOW - 250, 0)).isEqualTo("2026-12-03T08:40:00Z");
    assertThat(AnthropicRejections.rfc3339(NOW, Long.MAX_VALUE)).isEqualTo("2026-12-04T08:40:01Z");
  }

  private static String body(FullHttpResponse r) {
    return r.content().toString(StandardCharsets.UTF_8);
  }
}
