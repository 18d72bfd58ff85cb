package dev.spillway.core.admission.reject;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.admission.ratelimit.RateLimitStatus;
import dev.spillway.core.admission.ratelimit.RateLimitStatus.Policy;
import dev.spillway.core.admission.ratelimit.RateLimitStatus.UnitStatus;
import dev.spillway.core.config.LimitUnit;
import dev.spillway.core.config.RejectionConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RejectionResponsesTest {
  private static final long MS = 1_000_000L;
  private static final long S = 1_000_000_000L;
  private static final String RL_MESSAGE = RejectionConfig.DEFAULT_RATE_LIMITED_MESSAGE;
  private static final String OVERLOADED = "{\"error\":{\"message\":\"" + RejectionConfig.DEFAULT_OVERLOADED_MESSAGE
      + "\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n";

  /** Jitter pinned to the identity, so capacity-shedding delays are exact in assertions. */
  private final RejectionResponses responses = new RejectionResponses(RejectionConfig.DEFAULTS, base -> base);

  private static RateLimitStatus status() {
    return new RateLimitStatus(new UnitStatus(60, 0, 1_200 * MS), new UnitStatus(30_000, 500, 6 * 60 * S),
        List.of(new Policy("rpm", LimitUnit.REQUESTS, 60, 60, 0, 1_200 * MS),
            new Policy("tpm", LimitUnit.TOKENS, 30_000, 60, 500, 360 * S)));
  }

  private FullHttpResponse json(ShedReason reason, long retryNanos) {
    return responses.build(reason, status(), retryNanos, false, false, HttpVersion.HTTP_1_1, "req-1", false);
  }

  @Test
  void aRequestThatCanNeverFitGetsNoRetryAfterAndSaysWhy() {
    FullHttpResponse r = responses.build(ShedReason.RATE_LIMITED_TOKENS, status(),
        dev.spillway.core.admission.ratelimit.RateDecision.NEVER, true, true, HttpVersion.HTTP_1_1, "req-1", false,
        new dev.spillway.core.admission.ratelimit.RateDecision.Oversize(LimitUnit.TOKENS, 30_000, 31_538));
    check(r, x -> {
      assertThat(x.status().code()).isEqualTo(429);
      assertThat(x.headers().contains("retry-after")).isFalse();
      assertThat(x.headers().contains("retry-after-ms")).isFalse();
      assertThat(x.headers().get("x-should-retry")).isEqualTo("false");
      assertThat(x.headers().get("content-type")).isEqualTo("application/json");
      assertThat(body(x)).contains("Limit 30000, Requested 31538").contains("\"type\":\"tokens\"")
          .contains("\"code\":\"rate_limit_exceeded\"");
    });
  }

  @Test
  void everyRetryAfterIsCappedAtOneDay() {
    check(json(ShedReason.RATE_LIMITED_TOKENS, Long.MAX_VALUE - 1), r -> {
      assertThat(r.headers().get("retry-after")).isEqualTo("86400");
      assertThat(r.headers().get("retry-after-ms")).isEqualTo("86400000");
    });
    check(json(ShedReason.QUEUE_FULL, 400L * 86_400 * S), r -> assertThat(r.headers().get("retry-after"))
        .isEqualTo("86400"));
  }

  @Test
  void requestRateLimitIsOpenAisRateLimitError() {
    check(json(ShedReason.RATE_LIMITED_REQUESTS, 1_200 * MS), r -> {
      assertThat(r.status().code()).isEqualTo(429);
      assertThat(body(r)).isEqualTo("{\"error\":{\"message\":\"" + RL_MESSAGE
          + " (requests: limit 60, remaining 0; try again in 1.2s)\",\"type\":\"requests\",\"param\":null,"
          + "\"code\":\"rate_limit_exceeded\"}}\n");
      assertThat(r.headers().get("retry-after")).isEqualTo("2");
      assertThat(r.headers().get("retry-after-ms")).isEqualTo("1200");
      assertThat(r.headers().get("x-spillway-shed-reason")).isEqualTo("rate_limited_requests");
    });
  }

  @Test
  void tokenRateLimitNamesTheTokenUnit() {
    check(json(ShedReason.RATE_LIMITED_TOKENS, 9_816 * MS), r -> {
      assertThat(r.status().code()).isEqualTo(429);
      assertThat(body(r)).isEqualTo("{\"error\":{\"message\":\"" + RL_MESSAGE
          + " (tokens: limit 30000, remaining 500; try again in 9.816s)\",\"type\":\"tokens\",\"param\":null,"
          + "\"code\":\"rate_limit_exceeded\"}}\n");
      assertThat(r.headers().get("retry-after")).isEqualTo("10");
      assertThat(r.headers().get("retry-after-ms")).isEqualTo("9816");
    });
  }

  @Test
  void rateLimitWithoutUnitNumbersStillQuotesTheWait() {
    FullHttpResponse r = responses.build(ShedReason.RATE_LIMITED_TOKENS, RateLimitStatus.NONE, 250 * MS, false,
        false, HttpVersion.HTTP_1_1, null, false);
    check(r, x -> assertThat(body(x)).contains(RL_MESSAGE + " (try again in 250ms)\",\"type\":\"tokens\""));
  }

  @ParameterizedTest
  @EnumSource(value = ShedReason.class, names = {"QUEUE_FULL", "QUEUE_TIMEOUT", "DEADLINE_UNREACHABLE",
      "DISPLACED"})
  void capacitySheddingIsOpenAisOverloadedErrorWithTheReasonInAHeader(ShedReason reason) {
    check(json(reason, 2_500 * MS), r -> {
      assertThat(r.status().code()).isEqualTo(503);
      assertThat(body(r)).isEqualTo(OVERLOADED);
      assertThat(r.headers().get("x-spillway-shed-reason")).isEqualTo(reason.tag());
      assertThat(r.headers().get("retry-after")).isEqualTo("3");
      assertThat(r.headers().get("retry-after-ms")).isEqualTo("2500");
    });
  }

  @Test
  void unknownKeyIsOpenAisInvalidKeyErrorWithoutRetryDelay() {
    FullHttpResponse r = responses.build(ShedReason.UNKNOWN_KEY, RateLimitStatus.NONE, 5 * S, true, true,
        HttpVersion.HTTP_1_1, "req-1", false);
    check(r, x -> {
      assertThat(x.status().code()).isEqualTo(401);
      assertThat(body(x)).isEqualTo("{\"error\":{\"message\":\"Incorrect API key provided.\","
          + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}\n");
      assertThat(x.headers().get("content-type")).isEqualTo("application/json");
      assertThat(x.headers().get("www-authenticate")).isEqualTo("Bearer");
      assertThat(x.headers().contains("retry-after")).isFalse();
      assertThat(x.headers().contains("retry-after-ms")).isFalse();
      assertThat(x.headers().get("x-should-retry")).isEqualTo("false");
      assertThat(x.headers().get("x-spillway-shed-reason")).isEqualTo("unknown_key");
      assertThat(x.headers().contains("x-ratelimit-limit-requests")).isFalse();
    });
  }

  @Test
  void usesConfiguredStatusesAndEscapesConfiguredMessages() {
    RejectionConfig config = new RejectionConfig(420, 529, "Slow \"down\" \\ now\n\u0001<b>", "Busy & \"full\"");
    RejectionResponses custom = new RejectionResponses(config, base -> base);
    FullHttpResponse rl = custom.build(ShedReason.RATE_LIMITED_REQUESTS, RateLimitStatus.NONE, S, false, false,
        HttpVersion.HTTP_1_1, null, false);
    check(rl, r -> {
      assertThat(r.status().code()).isEqualTo(420);
      assertThat(body(r)).startsWith("{\"error\":{\"message\":\"Slow \\\"down\\\" \\\\ now\\n\\u0001<b> (try again");
    });
    FullHttpResponse over = custom.build(ShedReason.QUEUE_FULL, RateLimitStatus.NONE, S, false, false,
        HttpVersion.HTTP_1_1, null, false);
    check(over, r -> {
      assertThat(r.status().code()).isEqualTo(529);
      assertThat(body(r)).isEqualTo("{\"error\":{\"message\":\"Busy & \\\"full\\\"\",\"type\":\"server_error\","
          + "\"param\":null,\"code\":null}}\n");
    });
    FullHttpResponse page = custom.build(ShedReason.QUEUE_FULL, RateLimitStatus.NONE, S, false, true,
        HttpVersion.HTTP_1_1, null, false);
    check(page, r -> {
      assertThat(r.status().code()).isEqualTo(529);
      assertThat(body(r)).contains("<p>Busy &amp; &quot;full&quot;</p>").contains("HTTP 529");
    });
  }

  @Test
  void everyRejectionCarriesTheRateLimitHeadersAndCommonFields() {
    check(json(ShedReason.QUEUE_TIMEOUT, S), r -> {
      HttpHeaders h = r.headers();
      assertThat(h.get("x-ratelimit-limit-requests")).isEqualTo("60");
      assertThat(h.get("x-ratelimit-remaining-requests")).isEqualTo("0");
      assertThat(h.get("x-ratelimit-reset-requests")).isEqualTo("1.2s");
      assertThat(h.get("x-ratelimit-limit-tokens")).isEqualTo("30000");
      assertThat(h.get("x-ratelimit-remaining-tokens")).isEqualTo("500");
      assertThat(h.get("x-ratelimit-reset-tokens")).isEqualTo("6m0s");
      assertThat(h.get("ratelimit-policy")).isEqualTo("\"rpm\";q=60;w=60, \"tpm\";q=30000;qu=\"tokens\";w=60");
      assertThat(h.get("ratelimit")).isEqualTo("\"rpm\";r=0;t=2");
      assertThat(h.get("content-type")).isEqualTo("application/json");
      assertThat(h.getInt("content-length")).isEqualTo(r.content().readableBytes());
      assertThat(h.get("cache-control")).isEqualTo("no-store");
      assertThat(h.get("vary")).isEqualTo("accept");
      assertThat(h.get("x-request-id")).isEqualTo("req-1");
      assertThat(h.contains("connection")).isFalse();
      assertThat(h.contains("x-should-retry")).isFalse();
    });
  }

  @Test
  void retryAfterIsCeiledToWholeSecondsAndAtLeastOne() {
    long[][] cases = {{1, 1, 1}, {999 * MS, 1, 999}, {S, 1, 1_000}, {S + 1, 2, 1_001}, {0, 1, 1},
        {-7, 1, 1}, {3_600 * S, 3_600, 3_600_000}, {1_500_001, 1, 2}};
    for (long[] c : cases) {
      check(json(ShedReason.RATE_LIMITED_REQUESTS, c[0]), r -> {
        assertThat(r.headers().get("retry-after")).as("%d ns", c[0]).isEqualTo(Long.toString(c[1]));
        assertThat(r.headers().get("retry-after-ms")).as("%d ns", c[0]).isEqualTo(Long.toString(c[2]));
      });
    }
  }

  @Test
  void capacitySheddingJittersTheDelayAndRateLimitsDoNot() {
    RejectionResponses real = new RejectionResponses(RejectionConfig.DEFAULTS);
    List<Long> seen = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      FullHttpResponse r = real.build(ShedReason.QUEUE_FULL, RateLimitStatus.NONE, 2 * S, false, false,
          HttpVersion.HTTP_1_1, null, false);
      long ms = Long.parseLong(r.headers().get("retry-after-ms"));
      long seconds = Long.parseLong(r.headers().get("retry-after"));
      assertThat(ms).isBetween(1_000L, 3_000L);
      assertThat(seconds).isEqualTo(Math.max(1, (ms + 999) / 1000)).isBetween(1L, 3L);
      seen.add(ms);
      r.release();
    }
    assertThat(seen.stream().distinct().count()).isGreaterThan(500);
    for (int i = 0; i < 100; i++) {
      FullHttpResponse r = real.build(ShedReason.RATE_LIMITED_TOKENS, RateLimitStatus.NONE, 2 * S, false, false,
          HttpVersion.HTTP_1_1, null, false);
      assertThat(r.headers().get("retry-after-ms")).isEqualTo("2000");
      r.release();
    }
  }

  @Test
  void shouldRetryFalseOnlyWhenTheCallerSaysRetryIsPointless() {
    for (ShedReason reason : ShedReason.values()) {
      for (boolean pointless : new boolean[] {false, true}) {
        FullHttpResponse r = responses.build(reason, status(), S, pointless, false, HttpVersion.HTTP_1_1, null,
            false);
        check(r, x -> {
          if (pointless) {
            assertThat(x.headers().getAll("x-should-retry")).containsExactly("false");
          } else {
            assertThat(x.headers().contains("x-should-retry")).isFalse();
          }
        });
      }
    }
  }

  @Test
  void closeAndHttp10ConnectionHeaders() {
    FullHttpResponse closing = responses.build(ShedReason.QUEUE_FULL, null, S, false, false, HttpVersion.HTTP_1_1,
        null, true);
    check(closing, r -> assertThat(r.headers().get("connection")).isEqualTo("close"));
    FullHttpResponse http10 = responses.build(ShedReason.QUEUE_FULL, null, S, false, false, HttpVersion.HTTP_1_0,
        null, false);
    check(http10, r -> {
      assertThat(r.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_0);
      assertThat(r.headers().get("connection")).isEqualTo("keep-alive");
      assertThat(r.headers().contains("x-request-id")).isFalse();
      assertThat(r.headers().contains("ratelimit")).isFalse();
    });
  }

  @ParameterizedTest
  @EnumSource(value = ShedReason.class, names = "UNKNOWN_KEY", mode = EnumSource.Mode.EXCLUDE)
  void browsersGetASelfContainedCountdownPageWithTheSameStatusAndHeaders(ShedReason reason) {
    FullHttpResponse asJson = json(reason, 42 * S);
    FullHttpResponse asHtml = responses.build(reason, status(), 42 * S, false, true, HttpVersion.HTTP_1_1,
        "req-1", false);
    try {
      assertThat(asHtml.status()).isEqualTo(asJson.status());
      HttpHeaders h = asHtml.headers();
      assertThat(h.get("content-type")).isEqualTo("text/html; charset=utf-8");
      assertThat(h.get("cache-control")).isEqualTo("no-store");
      assertThat(h.getInt("content-length")).isEqualTo(asHtml.content().readableBytes());
      for (String name : asJson.headers().names()) {
        if (!name.equalsIgnoreCase("content-type") && !name.equalsIgnoreCase("content-length")) {
          assertThat(h.getAll(name)).as(name).isEqualTo(asJson.headers().getAll(name));
        }
      }
      String page = body(asHtml);
      assertThat(page).startsWith("<!DOCTYPE html>")
          .contains("<meta http-equiv=\"refresh\" content=\"42\">")
          .contains("<strong id=\"countdown\">42</strong>")
          .contains("This page reloads itself after 42 seconds.")
          .contains("<noscript>").contains("<style>").contains("<script>").contains("location.reload()")
          .contains(reason.isRateLimit() ? "Too many requests" : "At capacity")
          .contains(reason.isRateLimit() ? "Rate limit reached." : "The service is at capacity")
          .contains("HTTP " + asHtml.status().code());
      assertThat(page.toLowerCase()).doesNotContain("http:").doesNotContain("https:").doesNotContain("src=")
          .doesNotContain("href=").doesNotContain("@import").doesNotContain("url(").doesNotContain("//");
      // The meta refresh lives in <noscript>, so with script on only the countdown reloads the page.
      assertThat(page).contains("<noscript><meta http-equiv=\"refresh\" content=\"42\"></noscript>");
    } finally {
      asJson.release();
      asHtml.release();
    }
  }

  @Test
  void pageCountsDownTheCeiledRetryAfter() {
    FullHttpResponse r = responses.build(ShedReason.RATE_LIMITED_REQUESTS, null, 1_001 * MS, false, true,
        HttpVersion.HTTP_1_1, null, false);
    check(r, x -> {
      assertThat(x.headers().get("retry-after")).isEqualTo("2");
      assertThat(body(x)).contains("content=\"2\"").contains("id=\"countdown\">2<");
    });
  }

  @Test
  void staticBodiesAreSharedNotRebuilt() {
    FullHttpResponse a = json(ShedReason.QUEUE_FULL, S);
    FullHttpResponse b = json(ShedReason.DISPLACED, S);
    try {
      assertThat(a.content().hasArray()).isTrue();
      assertThat(a.content().array()).isSameAs(b.content().array()).isSameAs(responses.bodies().overloaded());
    } finally {
      a.release();
      b.release();
    }
    FullHttpResponse c = json(ShedReason.RATE_LIMITED_REQUESTS, S);
    FullHttpResponse d = json(ShedReason.RATE_LIMITED_TOKENS, 2 * S);
    try {
      assertThat(((CompositeByteBuf) c.content()).component(0).array())
          .isSameAs(((CompositeByteBuf) d.content()).component(0).array())
          .isSameAs(responses.bodies().rateLimitedPrefix());
    } finally {
      c.release();
      d.release();
    }
    byte[][] segments = responses.page(false).segments();
    assertThat(segments.length).isEqualTo(4);
    FullHttpResponse e = responses.build(ShedReason.QUEUE_FULL, null, S, false, true, HttpVersion.HTTP_1_1,
        null, false);
    FullHttpResponse f = responses.build(ShedReason.QUEUE_FULL, null, 9 * S, false, true, HttpVersion.HTTP_1_1,
        null, false);
    try {
      CompositeByteBuf pe = (CompositeByteBuf) e.content();
      CompositeByteBuf pf = (CompositeByteBuf) f.content();
      for (int i = 0; i < segments.length; i++) {
        assertThat(pe.component(i * 2).array()).isSameAs(segments[i]).isSameAs(pf.component(i * 2).array());
      }
      assertThat(responses.page(false).segments()).isSameAs(segments);
    } finally {
      e.release();
      f.release();
    }
  }

  @Test
  void responsesEncodeOnTheWireAndAreReleasedByTheEncoder() {
    List<FullHttpResponse> built = new ArrayList<>();
    for (ShedReason reason : ShedReason.values()) {
      for (boolean html : new boolean[] {false, true}) {
        built.add(responses.build(reason, status(), S, true, html, HttpVersion.HTTP_1_1, "req-1", false));
      }
    }
    EmbeddedChannel channel = new EmbeddedChannel(new HttpResponseEncoder());
    try {
      for (FullHttpResponse r : built) {
        assertThat(channel.writeOutbound(r)).isTrue();
        java.io.ByteArrayOutputStream wire = new java.io.ByteArrayOutputStream();
        for (ByteBuf out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
          byte[] bytes = new byte[out.readableBytes()];
          out.readBytes(bytes);
          wire.writeBytes(bytes);
          out.release();
        }
        // The encoder hands the body on; releasing what went on the wire frees the response.
        assertThat(r.refCnt()).isZero();
        byte[] bytes = wire.toByteArray();
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        assertThat(text).startsWith("HTTP/1.1 " + r.status().code() + " ");
        int split = text.indexOf("\r\n\r\n");
        // Header bytes are plain ASCII (no µ or other Latin-1 slipping through a duration or a name).
        assertThat(text.substring(0, split).chars().allMatch(ch -> ch >= 0x20 && ch < 0x7F || ch == '\r'
            || ch == '\n')).isTrue();
        assertThat(bytes.length - split - 4).isEqualTo(r.headers().getInt("content-length"));
      }
      assertThat(channel.finish()).isFalse();
    } finally {
      channel.finishAndReleaseAll();
      built.forEach(r -> ReferenceCountUtil.safeRelease(r, r.refCnt()));
    }
  }

  /** Runs the assertions, then releases the response and checks nothing holds it. */
  private static void check(FullHttpResponse response, Consumer<FullHttpResponse> assertions) {
    try {
      assertions.accept(response);
    } finally {
      assertThat(response.release()).isTrue();
      assertThat(response.content().refCnt()).isZero();
    }
  }

  private static String body(FullHttpResponse r) {
    return r.content().toString(StandardCharsets.UTF_8);
  }
}
