package dev.spillway.bench.scenario;

import java.util.Locale;

/** Round axis steps (1, 2 or 5 times a power of ten) and compact tick labels. */
final class Ticks {
  private Ticks() {}

  /** A round step that cuts {@code span} into at most about {@code count} intervals. */
  static double step(double span, int count) {
    double raw = span / count;
    double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    double r = raw / magnitude;
    double nice = r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10;
    return nice * magnitude;
  }

  /** {@code 1500} as {@code 1.5k}, {@code 0.25} as {@code 0.25}, {@code 40} as {@code 40}. */
  static String format(double v) {
    if (Math.abs(v) >= 1000) {
      return trim(String.format(Locale.ROOT, "%.1f", v / 1000)) + "k";
    }
    return trim(String.format(Locale.ROOT, "%.2f", v));
  }

  private static String trim(String s) {
    return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
  }
}
