package dev.spillway.core.upstream.resilience;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Reads an HTTP {@code Retry-After} value (RFC 9110 §10.2.3): delay seconds ({@code 120}; a fraction such as
 * {@code 1.5}, which the OpenAI SDKs accept, is honoured too) or an HTTP-date
 * ({@code Wed, 21 Oct 2015 07:28:00 GMT}), which is measured against an injected wall clock since it names a
 * moment, not a delay.
 */
public final class RetryAfter {
  /** Returned for a missing or unreadable value. */
  public static final long INVALID = -1;

  private RetryAfter() {}

  /** The delay in nanoseconds (0 for a date in the past), or {@link #INVALID}. */
  public static long parseNanos(String value, Clock wallClock) {
    if (value == null) {
      return INVALID;
    }
    String v = value.trim();
    if (v.isEmpty()) {
      return INVALID;
    }
    if (Character.isDigit(v.charAt(0))) {
      return seconds(v);
    }
    try {
      ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
      long nanos = Duration.between(wallClock.instant(), at.toInstant()).toNanos();
      return Math.max(0, nanos);
    } catch (DateTimeParseException | ArithmeticException e) {
      return INVALID;
    }
  }

  /** The delay of a {@code retry-after-ms} value (milliseconds, as the OpenAI SDKs read it), or INVALID. */
  public static long parseMillisNanos(String value) {
    if (value == null || value.isBlank()) {
      return INVALID;
    }
    long seconds = seconds(value.trim());
    return seconds == INVALID ? INVALID : seconds / 1000;
  }

  private static long seconds(String v) {
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (!(c >= '0' && c <= '9') && c != '.') {
        return INVALID;
      }
    }
    try {
      double s = Double.parseDouble(v);
      return s * 1e9 >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) (s * 1e9);
    } catch (NumberFormatException e) {
      return INVALID;
    }
  }
}
