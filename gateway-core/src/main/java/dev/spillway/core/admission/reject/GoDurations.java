package dev.spillway.core.admission.reject;

/**
 * Formats a wait as the Go-style duration string OpenAI puts in {@code x-ratelimit-reset-*} ({@code 12ms},
 * {@code 9.816s}, {@code 6m0s}), which clients parse with Go's {@code time.ParseDuration} or an equivalent.
 *
 * <p>The rules, applied in order:
 * <ol>
 *   <li>zero and negative waits are {@code 0s} (a reset cannot lie in the past);
 *   <li>the wait is rounded <em>up</em>: to whole microseconds below one second, to whole milliseconds from
 *       one second on, so a client that waits the printed time never comes back too early;
 *   <li>below one second it is written in milliseconds with up to three decimals, trailing zeros trimmed:
 *       {@code 12ms}, {@code 2.2ms}, {@code 0.25ms}, {@code 999.999ms};
 *   <li>from one second on it is written exactly as Go's {@code time.Duration.String()} writes that rounded
 *       value: hours, then minutes, then seconds with up to three decimals trimmed, where a larger unit forces
 *       every smaller one to appear: {@code 1s}, {@code 9.816s}, {@code 4m5.001s}, {@code 6m0s},
 *       {@code 1h0m0s}, {@code 1h2m0.3s}.
 * </ol>
 * From one millisecond on, the output is therefore identical to Go's {@code String()} of the rounded value.
 * Below it Go would switch to {@code µs}; we stay with fractional milliseconds ({@code 0.5ms}) because
 * {@code µ} is not ASCII and has no safe place in an HTTP header value, while {@code ParseDuration} reads
 * {@code 0.5ms} just the same.
 */
public final class GoDurations {
  private static final long NANOS_PER_MICRO = 1_000L;
  private static final long NANOS_PER_MILLI = 1_000_000L;
  private static final long NANOS_PER_SECOND = 1_000_000_000L;
  private static final long MICROS_PER_SECOND = 1_000_000L;
  private static final long MILLIS_PER_MINUTE = 60_000L;
  private static final long MILLIS_PER_HOUR = 3_600_000L;

  private GoDurations() {}

  /** The wait {@code nanos} as a duration string; see the class comment for the exact rules. */
  public static String format(long nanos) {
    if (nanos <= 0) {
      return "0s";
    }
    StringBuilder sb = new StringBuilder(20);
    if (nanos < NANOS_PER_SECOND) {
      long micros = ceilDiv(nanos, NANOS_PER_MICRO);
      // 999.9995ms rounds up to a full second, which the seconds branch below writes as "1s".
      if (micros < MICROS_PER_SECOND) {
        appendThousandths(sb, micros / 1000, micros % 1000);
        return sb.append("ms").toString();
      }
    }
    long millis = ceilDiv(nanos, NANOS_PER_MILLI);
    long hours = millis / MILLIS_PER_HOUR;
    long minutes = millis % MILLIS_PER_HOUR / MILLIS_PER_MINUTE;
    long secondsMillis = millis % MILLIS_PER_MINUTE;
    if (hours > 0) {
      sb.append(hours).append('h');
    }
    if (hours > 0 || minutes > 0) {
      sb.append(minutes).append('m');
    }
    appendThousandths(sb, secondsMillis / 1000, secondsMillis % 1000);
    return sb.append('s').toString();
  }

  /** {@code whole.fff} with trailing zeros (and a bare dot) trimmed, as Go prints fractions. */
  private static void appendThousandths(StringBuilder sb, long whole, long thousandths) {
    sb.append(whole);
    if (thousandths == 0) {
      return;
    }
    int t = (int) thousandths;
    sb.append('.').append((char) ('0' + t / 100));
    if (t % 100 != 0) {
      sb.append((char) ('0' + t / 10 % 10));
      if (t % 10 != 0) {
        sb.append((char) ('0' + t % 10));
      }
    }
  }

  /** Ceiling division for positive operands, without the overflow of {@code (a + b - 1) / b}. */
  static long ceilDiv(long a, long b) {
    long q = a / b;
    return a % b == 0 ? q : q + 1;
  }
}
