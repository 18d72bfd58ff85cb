package dev.spillway.bench.scenario;

import java.util.Locale;
import org.HdrHistogram.Histogram;

/** Number formatting for the tables: latencies from microseconds to milliseconds, rates, ratios. */
final class Fmt {
  private Fmt() {}

  /** A latency percentile of a histogram in microseconds, as milliseconds; {@code -} when it is empty. */
  static String ms(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? "-" : ms(h.getValueAtPercentile(percentile));
  }

  /** Microseconds as milliseconds with a precision that suits the size. */
  static String ms(double micros) {
    double ms = micros / 1000.0;
    return String.format(Locale.ROOT, ms < 10 ? "%.2f" : ms < 100 ? "%.1f" : "%.0f", ms);
  }

  static double msValue(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
  }

  static String num(double v) {
    return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.0f" : "%.1f", v);
  }

  static String pct(double fraction) {
    return String.format(Locale.ROOT, "%.1f %%", fraction * 100);
  }

  static String ratio(double v) {
    return Double.isNaN(v) || Double.isInfinite(v) ? "-" : String.format(Locale.ROOT, "%.2f×", v);
  }
}
