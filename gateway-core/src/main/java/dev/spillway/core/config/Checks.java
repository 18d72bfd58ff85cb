package dev.spillway.core.config;

import java.time.Duration;
import java.util.Objects;

/** Argument checks for config records, producing the house message format {@code key: value (expected: ...)}. */
public final class Checks {
  private Checks() {}

  public static <T> T notNull(String key, T value) {
    if (value == null) {
      throw new ConfigException(key, "missing (expected: a value)");
    }
    return value;
  }

  public static int positive(String key, int value) {
    if (value <= 0) {
      throw new ConfigException(key, value + " (expected: > 0)");
    }
    return value;
  }

  public static long positive(String key, long value) {
    if (value <= 0) {
      throw new ConfigException(key, value + " (expected: > 0)");
    }
    return value;
  }

  public static int nonNegative(String key, int value) {
    if (value < 0) {
      throw new ConfigException(key, value + " (expected: >= 0)");
    }
    return value;
  }

  public static int inRange(String key, int value, int min, int max) {
    if (value < min || value > max) {
      throw new ConfigException(key, value + " (expected: " + min + ".." + max + ")");
    }
    return value;
  }

  public static Duration positive(String key, Duration value) {
    notNull(key, value);
    if (value.isNegative() || value.isZero()) {
      throw new ConfigException(key, Durations.format(value) + " (expected: > 0)");
    }
    return value;
  }

  public static Duration nonNegative(String key, Duration value) {
    notNull(key, value);
    if (value.isNegative()) {
      throw new ConfigException(key, Durations.format(value) + " (expected: >= 0)");
    }
    return value;
  }

  public static String notBlank(String key, String value) {
    if (value == null || value.isBlank()) {
      throw new ConfigException(key, "\"" + Objects.toString(value, "") + "\" (expected: a non-empty string)");
    }
    return value;
  }
}
