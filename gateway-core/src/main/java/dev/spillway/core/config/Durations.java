package dev.spillway.core.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Parses and formats durations the way operators write them: {@code 250ms}, {@code 30s}, {@code 5m},
 * {@code 1h}, {@code 2d}, {@code 1m30s}, {@code 0}, or ISO-8601 ({@code PT30S}). Modeled on Caffeine's
 * {@code CaffeineSpec}, which accepts both.
 */
public final class Durations {
  private Durations() {}

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException with a message naming the accepted forms
   */
  public static Duration parse(String text) {
    String s = text.trim();
    if (s.isEmpty()) {
      throw invalid(text);
    }
    if (s.charAt(0) == 'P' || s.charAt(0) == 'p') {
      try {
        return Duration.parse(s.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        throw invalid(text);
      }
    }
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    Duration total = Duration.ZERO;
    int i = 0;
    int n = s.length();
    while (i < n) {
      int start = i;
      while (i < n && Character.isDigit(s.charAt(i))) {
        i++;
      }
      if (i == start) {
        throw invalid(text);
      }
      long amount;
      try {
        amount = Long.parseLong(s, start, i, 10);
      } catch (NumberFormatException e) {
        throw invalid(text);
      }
      int unitStart = i;
      while (i < n && Character.isLetter(s.charAt(i))) {
        i++;
      }
      String unit = s.substring(unitStart, i).toLowerCase(Locale.ROOT);
      try {
        total = total.plus(of(amount, unit, text));
      } catch (ArithmeticException e) {
        throw invalid(text);
      }
    }
    return total;
  }

  private static Duration of(long amount, String unit, String text) {
    switch (unit) {
      case "ns": return Duration.ofNanos(amount);
      case "us": return Duration.ofNanos(Math.multiplyExact(amount, 1000L));
      case "ms": return Duration.ofMillis(amount);
      case "s": return Duration.ofSeconds(amount);
      case "m": return Duration.ofMinutes(amount);
      case "h": return Duration.ofHours(amount);
      case "d": return Duration.ofDays(amount);
      default: throw invalid(text);
    }
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException(
        "\"" + text + "\" is not a duration (expected: e.g. 250ms, 30s, 5m, 1h, 1m30s or ISO-8601 PT30S)");
  }

  /** Formats {@code d} compactly in the same syntax {@link #parse} accepts, e.g. {@code 1m30s}, {@code 250ms}. */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    if (d.isNegative()) {
      return "-" + format(d.negated());
    }
    StringBuilder sb = new StringBuilder();
    long days = d.toDaysPart();
    if (days > 0) {
      sb.append(days).append('d');
    }
    if (d.toHoursPart() > 0) {
      sb.append(d.toHoursPart()).append('h');
    }
    if (d.toMinutesPart() > 0) {
      sb.append(d.toMinutesPart()).append('m');
    }
    if (d.toSecondsPart() > 0) {
      sb.append(d.toSecondsPart()).append('s');
    }
    int nanos = d.toNanosPart();
    if (nanos > 0) {
      if (nanos % 1_000_000 == 0) {
        sb.append(nanos / 1_000_000).append("ms");
      } else if (nanos % 1_000 == 0) {
        sb.append(nanos / 1_000).append("us");
      } else {
        sb.append(nanos).append("ns");
      }
    }
    return sb.toString();
  }
}
