package dev.spillway.core.admission.reject;

import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.admission.ratelimit.RateLimitStatus;
import dev.spillway.core.admission.ratelimit.RateLimitStatus.UnitStatus;
import dev.spillway.core.config.RejectionConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Rejections in the shape of Anthropic's Messages API, for {@link RejectionShape#ANTHROPIC}: the bodies
 * {@code {"type":"error","error":{"type":"rate_limit_error"|"overloaded_error"|"authentication_error",
 * "message":...}}} (so the Anthropic SDKs raise {@code RateLimitError}, {@code OverloadedError} /
 * {@code InternalServerError}, {@code AuthenticationError}), and the {@code anthropic-ratelimit-requests-*} and
 * {@code anthropic-ratelimit-tokens-*} headers ({@code -limit}, {@code -remaining}, and {@code -reset} as an
 * RFC 3339 UTC time, to the second, rounded up). Bodies are encoded once; thread-safe.
 */
final class AnthropicRejections {
  static final AsciiString REQUESTS_LIMIT = AsciiString.cached("anthropic-ratelimit-requests-limit");
  static final AsciiString REQUESTS_REMAINING = AsciiString.cached("anthropic-ratelimit-requests-remaining");
  static final AsciiString REQUESTS_RESET = AsciiString.cached("anthropic-ratelimit-requests-reset");
  static final AsciiString TOKENS_LIMIT = AsciiString.cached("anthropic-ratelimit-tokens-limit");
  static final AsciiString TOKENS_REMAINING = AsciiString.cached("anthropic-ratelimit-tokens-remaining");
  static final AsciiString TOKENS_RESET = AsciiString.cached("anthropic-ratelimit-tokens-reset");
  static final String UNKNOWN_KEY_JSON = "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\","
      + "\"message\":\"invalid x-api-key\"}}\n";

  private static final long NANOS_PER_MILLI = 1_000_000L;

  private final byte[] rateLimited;
  private final byte[] overloaded;
  private final byte[] unknownKey;

  AnthropicRejections(RejectionConfig config) {
    this.rateLimited = body("rate_limit_error", config.rateLimitedMessage());
    this.overloaded = body("overloaded_error", config.overloadedMessage());
    this.unknownKey = UNKNOWN_KEY_JSON.getBytes(StandardCharsets.UTF_8);
  }

  /** The body for {@code reason}, wrapping the shared bytes. */
  ByteBuf json(ShedReason reason) {
    if (reason == ShedReason.UNKNOWN_KEY) {
      return Unpooled.wrappedBuffer(unknownKey);
    }
    return Unpooled.wrappedBuffer(reason.isRateLimit() ? rateLimited : overloaded);
  }

  /** The body for a request no wait would admit: a {@code rate_limit_error} naming the limit. */
  static ByteBuf oversize(ShedReason reason, long capacity, long requested) {
    String unit = reason == ShedReason.RATE_LIMITED_REQUESTS ? "requests" : "tokens";
    String json = "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"Request too large"
        + " for this " + unit + " limit" + (capacity >= 0 ? ": limit " + capacity + ", requested " + requested : "")
        + ". No wait will make it fit: shorten the request or lower max_tokens.\"}}\n";
    return Unpooled.wrappedBuffer(json.getBytes(StandardCharsets.US_ASCII));
  }

  /** Sets the {@code anthropic-ratelimit-*} fields of the units {@code status} covers. */
  static void applyHeaders(HttpHeaders headers, RateLimitStatus status, long nowEpochMillis) {
    if (status == null) {
      return;
    }
    if (status.requests() != null) {
      setUnit(headers, status.requests(), nowEpochMillis, REQUESTS_LIMIT, REQUESTS_REMAINING, REQUESTS_RESET);
    }
    if (status.tokens() != null) {
      setUnit(headers, status.tokens(), nowEpochMillis, TOKENS_LIMIT, TOKENS_REMAINING, TOKENS_RESET);
    }
  }

  private static void setUnit(HttpHeaders headers, UnitStatus unit, long nowEpochMillis, AsciiString limit,
      AsciiString remaining, AsciiString reset) {
    headers.set(limit, Long.toString(RateLimitHeaders.sfInteger(unit.limit())));
    headers.set(remaining, Long.toString(RateLimitHeaders.sfInteger(unit.remaining())));
    headers.set(reset, rfc3339(nowEpochMillis, unit.resetNanos()));
  }

  /** {@code now + resetNanos} as {@code 2026-12-03T08:40:01Z}: whole seconds, rounded up. */
  static String rfc3339(long nowEpochMillis, long resetNanos) {
    long resetMillis = GoDurations.ceilDiv(Math.max(0, resetNanos), NANOS_PER_MILLI);
    long at = nowEpochMillis + Math.min(resetMillis, RejectionResponses.MAX_RETRY_AFTER_NANOS / NANOS_PER_MILLI);
    Instant instant = Instant.ofEpochMilli(at);
    Instant seconds = instant.truncatedTo(ChronoUnit.SECONDS);
    return (seconds.equals(instant) ? seconds : seconds.plusSeconds(1)).toString();
  }

  private static byte[] body(String type, String message) {
    return ("{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":\"" + Escaping.json(message)
        + "\"}}\n").getBytes(StandardCharsets.UTF_8);
  }
}
