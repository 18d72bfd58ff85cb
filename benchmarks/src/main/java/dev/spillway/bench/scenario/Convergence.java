package dev.spillway.bench.scenario;

import java.util.List;

/** Time-series judgments of the unknown-capacity scenario: when a limit settled, a series' mean. */
final class Convergence {
  private Convergence() {}

  /**
   * Seconds after {@code fromSeconds} at which the series entered, for good, the band {@code target ± tolerance
   * × target}: every later sample stays inside it. -1 when its last sample is outside (it never settled), NaN
   * without samples after {@code fromSeconds}.
   */
  static double settleSeconds(List<MetricsScraper.Sample> samples, double target, double tolerance,
      double fromSeconds) {
    double low = target * (1 - tolerance);
    double high = target * (1 + tolerance);
    double settled = Double.NaN;
    boolean any = false;
    for (MetricsScraper.Sample s : samples) {
      if (s.seconds() < fromSeconds) {
        continue;
      }
      any = true;
      boolean inside = s.value() >= low && s.value() <= high;
      if (!inside) {
        settled = Double.NaN;
      } else if (Double.isNaN(settled)) {
        settled = s.seconds() - fromSeconds;
      }
    }
    if (!any) {
      return Double.NaN;
    }
    return Double.isNaN(settled) ? -1 : settled;
  }

  /** The mean of the samples in {@code [fromSeconds, toSeconds)}; NaN without any. */
  static double mean(List<MetricsScraper.Sample> samples, double fromSeconds, double toSeconds) {
    return samples.stream().filter(s -> s.seconds() >= fromSeconds && s.seconds() < toSeconds)
        .mapToDouble(MetricsScraper.Sample::value).average().orElse(Double.NaN);
  }
}
