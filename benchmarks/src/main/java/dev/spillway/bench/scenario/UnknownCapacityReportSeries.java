package dev.spillway.bench.scenario;

import java.util.Arrays;
import java.util.List;

/**
 * What the sections of the unknown-capacity page share to turn scraped series into chart lines and table cells:
 * their times and values, their least value, a flat reference line, and two backends' numbers as one cell. One
 * place for these, so that every section draws and writes a series the same way.
 */
final class UnknownCapacityReportSeries {
  private UnknownCapacityReportSeries() {}

  /** The samples' times (seconds), the x of a chart line. */
  static double[] times(List<MetricsScraper.Sample> samples) {
    return samples.stream().mapToDouble(MetricsScraper.Sample::seconds).toArray();
  }

  /** The samples' values, the y of a chart line. */
  static double[] values(List<MetricsScraper.Sample> samples) {
    return samples.stream().mapToDouble(MetricsScraper.Sample::value).toArray();
  }

  /** The least value of a series, NaN without samples (the most is {@link EngineTrace#max}). */
  static double min(List<MetricsScraper.Sample> samples) {
    return samples.stream().mapToDouble(MetricsScraper.Sample::value).min().orElse(Double.NaN);
  }

  /** {@code n} times {@code v}: a reference line (the backend's best) across a chart. */
  static double[] constant(int n, double v) {
    double[] a = new double[n];
    Arrays.fill(a, v);
    return a;
  }

  /** The primary's and the overflow tier's numbers in one cell, {@code primary / overflow}. */
  static String pair(double primary, double overflow) {
    return Fmt.num(primary) + " / " + Fmt.num(overflow);
  }
}
