package dev.spillway.server.config;

import dev.spillway.core.config.DataSizes;
import dev.spillway.core.config.Durations;
import java.time.Duration;
import java.util.Locale;

/**
 * Converts scalar text (after variable substitution) to the types the config records use. Each method throws
 * {@link IllegalArgumentException} whose message is the detail of a {@link ConfigError}, e.g.
 * {@code "abc" is not an integer}.
 */
final class Scalars {
  private Scalars() {}

  static int toInt(String text) {
    long value = toLong(text, "an integer");
    if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(value + " is out of range (expected: " + Integer.MIN_VALUE + ".."
          + Integer.MAX_VALUE + ")");
    }
    return (int) value;
  }

  static boolean toBoolean(String text) {
    switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "true": return true;
      case "false": return false;
      default: throw new IllegalArgumentException("\"" + text + "\" is not a boolean (expected: true or false)");
    }
  }

  /**
   * Parses a duration with {@link Durations#parse}. A bare number other than 0 is refused: {@code timeout: 30}
   * could mean seconds or milliseconds, and guessing wrong by a factor of 1000 is worse than asking.
   */
  static Duration toDuration(String text) {
    String s = text.trim();
    if (!s.isEmpty() && s.chars().allMatch(Character::isDigit) && !isZero(s)) {
      throw new IllegalArgumentException("\"" + text + "\" has no unit (expected: e.g. " + s + "s or " + s
          + "ms; a bare number is ambiguous)");
    }
    return isZero(s) ? Duration.ZERO : Durations.parse(s);
  }

  /** Parses a byte size with {@link DataSizes#parse}; a bare number means bytes. */
  static long toSize(String text) {
    return DataSizes.parse(text);
  }

  /** A size for a field stored as {@code int}. */
  static int toIntSize(String text) {
    long bytes = toSize(text);
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("\"" + text + "\" is too large (expected: at most "
          + Integer.MAX_VALUE + " bytes)");
    }
    return (int) bytes;
  }

  static long toLong(String text) {
    return toLong(text, "an integer");
  }

  /** A plain decimal number such as {@code 0.5}; NaN and infinities are refused. */
  static double toDecimal(String text) {
    String s = text.trim();
    double value;
    try {
      value = Double.parseDouble(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("\"" + text + "\" is not a number (expected: e.g. 0.5)");
    }
    if (!Double.isFinite(value) || !s.chars().allMatch(c -> Character.isDigit(c) || c == '.' || c == '-' || c == '+')) {
      throw new IllegalArgumentException("\"" + text + "\" is not a number (expected: e.g. 0.5)");
    }
    return value;
  }

  /**
   * Parses an enum constant written in lower camel case, as config files spell them: {@code PER_TOKEN} is
   * {@code perToken}.
   *
   * @param what names the kind of value in the error, e.g. "a priority class"
   */
  static <E extends Enum<E>> E toEnum(String text, Class<E> type, String what) {
    String s = text.trim();
    for (E constant : type.getEnumConstants()) {
      if (configName(constant).equals(s)) {
        return constant;
      }
    }
    StringBuilder allowed = new StringBuilder();
    for (E constant : type.getEnumConstants()) {
      allowed.append(allowed.length() == 0 ? "" : ", ").append(configName(constant));
    }
    throw new IllegalArgumentException("\"" + text + "\" is not " + what + " (expected one of: " + allowed + ")");
  }

  /** The lower camel case spelling of an enum constant: {@code API_KEY} is {@code apiKey}. */
  static String configName(Enum<?> constant) {
    StringBuilder sb = new StringBuilder();
    boolean upper = false;
    for (char c : constant.name().toCharArray()) {
      if (c == '_') {
        upper = true;
      } else {
        sb.append(upper ? c : Character.toLowerCase(c));
        upper = false;
      }
    }
    return sb.toString();
  }

  private static long toLong(String text, String what) {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("\"" + text + "\" is not " + what);
    }
  }

  private static boolean isZero(String s) {
    return !s.isEmpty() && s.chars().allMatch(c -> c == '0');
  }
}
