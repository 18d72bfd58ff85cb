package dev.spillway.core.config;

import java.time.Duration;
import java.util.Locale;

/**
 * One token-bucket bandwidth: up to {@code capacity} units, refilled greedily at {@code capacity} per
 * {@code period}. Written in config as {@code "20/s"}, {@code "600/1m"}, {@code "40000/1m"},
 * {@code "1000000/1d"}.
 */
public record BandwidthConfig(long capacity, Duration period) {
  public BandwidthConfig {
    Checks.positive("capacity", capacity);
    Checks.positive("period", period);
    if (period.compareTo(Duration.ofNanos(capacity)) < 0) {
      // Bucket4j refills at most one token per nanosecond.
      throw new ConfigException("", capacity + "/" + Durations.format(period)
          + " (expected: a refill rate of at most one per nanosecond)");
    }
  }

  /** Parses {@code N/period}, where period is a duration ({@code 1m}, {@code 30s}) or a bare unit ({@code s}). */
  public static BandwidthConfig parse(String text) {
    String s = text.trim();
    int slash = s.indexOf('/');
    if (slash <= 0 || slash == s.length() - 1) {
      throw invalid(text);
    }
    long capacity;
    try {
      capacity = Long.parseLong(s.substring(0, slash).trim());
    } catch (NumberFormatException e) {
      throw invalid(text);
    }
    String p = s.substring(slash + 1).trim().toLowerCase(Locale.ROOT);
    if (!p.isEmpty() && Character.isLetter(p.charAt(0))) {
      p = "1" + p;
    }
    Duration period;
    try {
      period = Durations.parse(p);
    } catch (IllegalArgumentException e) {
      throw invalid(text);
    }
    if (capacity <= 0 || period.isZero() || period.isNegative()) {
      throw invalid(text);
    }
    return new BandwidthConfig(capacity, period);
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException("\"" + text
        + "\" is not a bandwidth (expected: <count>/<period>, e.g. 20/s, 600/1m, 40000/1m)");
  }

  @Override
  public String toString() {
    return capacity + "/" + Durations.format(period);
  }
}
