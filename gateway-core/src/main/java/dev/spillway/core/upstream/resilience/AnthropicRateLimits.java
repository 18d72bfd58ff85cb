package dev.spillway.core.upstream.resilience;

import io.netty.handler.codec.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Reads Anthropic's rate-limit headers: for each limit ({@code requests}, {@code tokens},
 * {@code input-tokens}, {@code output-tokens}) an {@code anthropic-ratelimit-<limit>-reset} time (RFC 3339,
 * e.g. {@code 2025-01-01T00:00:30Z}) and an {@code anthropic-ratelimit-<limit>-remaining} count. The pause is
 * the latest reset of the limits that are used up (remaining 0 or absent); if none is, the earliest reset.
 */
final class AnthropicRateLimits {
  private static final String[] LIMITS = {"requests", "tokens", "input-tokens", "output-tokens"};

  private AnthropicRateLimits() {}

  /** The pause in nanoseconds measured against {@code wallClock}, or {@link UpstreamPause#NONE}. */
  static long pauseNanos(HttpHeaders headers, Clock wallClock) {
    long exhausted = UpstreamPause.NONE;
    long earliest = Long.MAX_VALUE;
    for (String limit : LIMITS) {
      long reset = resetNanos(headers.get("anthropic-ratelimit-" + limit + "-reset"), wallClock);
      if (reset < 0) {
        continue;
      }
      earliest = Math.min(earliest, reset);
      String remaining = headers.get("anthropic-ratelimit-" + limit + "-remaining");
      if (remaining == null || remaining.trim().equals("0")) {
        exhausted = Math.max(exhausted, reset);
      }
    }
    if (exhausted != UpstreamPause.NONE) {
      return exhausted;
    }
    return earliest == Long.MAX_VALUE ? UpstreamPause.NONE : earliest;
  }

  private static long resetNanos(String value, Clock wallClock) {
    if (value == null || value.isBlank()) {
      return -1;
    }
    try {
      OffsetDateTime at = OffsetDateTime.parse(value.trim());
      return Math.max(0, Duration.between(wallClock.instant(), at.toInstant()).toNanos());
    } catch (DateTimeParseException | ArithmeticException e) {
      return -1;
    }
  }
}
