package dev.spillway.core.upstream.resilience;

/**
 * Reads Go duration strings as OpenAI sends them in {@code x-ratelimit-reset-*}: {@code 1s}, {@code 6m0s},
 * {@code 12ms}, {@code 9.816s}, {@code 1h2m0.3s}, {@code 0.5ms}, {@code 250us}. The grammar is Go's
 * {@code time.ParseDuration}: one or more decimal numbers, each with a unit ({@code ns}, {@code us},
 * {@code µs}, {@code ms}, {@code s}, {@code m}, {@code h}); a bare {@code 0} is zero. Signs are refused,
 * since a reset cannot lie in the past. The formatter is
 * {@link dev.spillway.core.admission.reject.GoDurations}.
 */
public final class GoDurationParser {
  /** Returned for anything that is not a duration. */
  public static final long INVALID = -1;

  private GoDurationParser() {}

  /** The duration in nanoseconds (fractions of a nanosecond dropped), or {@link #INVALID}. */
  public static long parseNanos(CharSequence text) {
    if (text == null) {
      return INVALID;
    }
    int n = text.length();
    if (n == 0) {
      return INVALID;
    }
    if (n == 1 && text.charAt(0) == '0') {
      return 0;
    }
    double total = 0;
    int i = 0;
    while (i < n) {
      int start = i;
      while (i < n && (Character.isDigit(text.charAt(i)) || text.charAt(i) == '.')) {
        i++;
      }
      if (i == start) {
        return INVALID;
      }
      double value;
      try {
        value = Double.parseDouble(text.subSequence(start, i).toString());
      } catch (NumberFormatException e) {
        return INVALID;
      }
      int unitStart = i;
      while (i < n && !Character.isDigit(text.charAt(i)) && text.charAt(i) != '.') {
        i++;
      }
      long unit = unitNanos(text, unitStart, i);
      if (unit == INVALID) {
        return INVALID;
      }
      total += value * unit;
    }
    return total >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) total;
  }

  private static long unitNanos(CharSequence s, int from, int to) {
    switch (to - from) {
      case 1:
        switch (s.charAt(from)) {
          case 's':
            return 1_000_000_000L;
          case 'm':
            return 60_000_000_000L;
          case 'h':
            return 3_600_000_000_000L;
          default:
            return INVALID;
        }
      case 2:
        char a = s.charAt(from);
        if (s.charAt(from + 1) != 's') {
          return INVALID;
        }
        switch (a) {
          case 'n':
            return 1;
          case 'u':
          case '\u00b5':
          case '\u03bc':
            return 1_000L;
          case 'm':
            return 1_000_000L;
          default:
            return INVALID;
        }
      default:
        return INVALID;
    }
  }
}
