package dev.spillway.core.config;

import java.util.Locale;

/**
 * Parses and formats byte sizes: {@code 512}, {@code 512B}, {@code 16KiB}, {@code 10MiB}, {@code 1GiB}, and the
 * decimal {@code KB}/{@code MB}/{@code GB} (powers of 1000). Binary units are what config files should use.
 */
public final class DataSizes {
  private DataSizes() {}

  /**
   * Parses {@code text} into a number of bytes.
   *
   * @throws IllegalArgumentException with a message naming the accepted forms
   */
  public static long parse(String text) {
    String s = text.trim();
    int i = 0;
    while (i < s.length() && Character.isDigit(s.charAt(i))) {
      i++;
    }
    if (i == 0) {
      throw invalid(text);
    }
    long amount;
    try {
      amount = Long.parseLong(s.substring(0, i));
    } catch (NumberFormatException e) {
      throw invalid(text);
    }
    String unit = s.substring(i).trim().toLowerCase(Locale.ROOT);
    long multiplier;
    switch (unit) {
      case "": case "b": multiplier = 1; break;
      case "kib": case "k": multiplier = 1L << 10; break;
      case "mib": case "m": multiplier = 1L << 20; break;
      case "gib": case "g": multiplier = 1L << 30; break;
      case "kb": multiplier = 1_000L; break;
      case "mb": multiplier = 1_000_000L; break;
      case "gb": multiplier = 1_000_000_000L; break;
      default: throw invalid(text);
    }
    try {
      return Math.multiplyExact(amount, multiplier);
    } catch (ArithmeticException e) {
      throw invalid(text);
    }
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException(
        "\"" + text + "\" is not a size (expected: e.g. 512B, 16KiB, 10MiB, 1GiB)");
  }

  /** Formats {@code bytes} in the largest binary unit that divides it exactly, e.g. {@code 16KiB}. */
  public static String format(long bytes) {
    if (bytes != 0 && bytes % (1L << 30) == 0) {
      return (bytes >> 30) + "GiB";
    }
    if (bytes != 0 && bytes % (1L << 20) == 0) {
      return (bytes >> 20) + "MiB";
    }
    if (bytes != 0 && bytes % (1L << 10) == 0) {
      return (bytes >> 10) + "KiB";
    }
    return bytes + "B";
  }
}
