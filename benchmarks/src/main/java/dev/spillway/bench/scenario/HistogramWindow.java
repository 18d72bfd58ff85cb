package dev.spillway.bench.scenario;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Prometheus histogram's cumulative bucket counts as scraped over time ({@link MetricsScraper}), and what
 * happened in a window of the run: the bucket deltas between the last scrape at or before each end, and a
 * quantile from them interpolated within its bucket, as Prometheus's {@code histogram_quantile} does.
 */
final class HistogramWindow {
  /**
   * One scrape: cumulative counts by bucket upper bound ({@code le}, {@code +Inf} as infinity), summed over
   * every label set of the histogram; empty while it has no series yet.
   */
  record Buckets(double seconds, TreeMap<Double, Double> cumulative) {}

  private HistogramWindow() {}

  /** Parses every {@code <name>_bucket{...,le="x"} v} line of {@code text}, summing over the other labels. */
  static TreeMap<Double, Double> parse(String text, String name) {
    TreeMap<Double, Double> counts = new TreeMap<>();
    String prefix = name + "_bucket{";
    for (String line : text.split("\n")) {
      if (!line.startsWith(prefix)) {
        continue;
      }
      int le = line.indexOf("le=\"");
      int close = le < 0 ? -1 : line.indexOf('"', le + 4);
      int space = line.lastIndexOf(' ');
      if (close < 0 || space < close) {
        continue;
      }
      String bound = line.substring(le + 4, close);
      try {
        double upper = bound.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bound);
        counts.merge(upper, Double.parseDouble(line.substring(space + 1).trim()), Double::sum);
      } catch (NumberFormatException e) {
        // A line we cannot read is left out; the window then has fewer counts, never wrong ones.
      }
    }
    return counts;
  }

  /**
   * The {@code q} quantile (0..1) in milliseconds of what the histogram recorded between {@code from} and
   * {@code to} seconds (each end at the last scrape at or before it; a window starting before the first
   * scrape counts from zero); NaN when nothing was recorded. A quantile in the last finite bucket's overflow
   * reads as that bucket's bound (the histogram cannot say more).
   */
  static double quantileMs(List<Buckets> scrapes, double from, double to, double q) {
    TreeMap<Double, Double> start = at(scrapes, from);
    TreeMap<Double, Double> end = at(scrapes, to);
    if (end.isEmpty()) {
      return Double.NaN;
    }
    double total = end.lastEntry().getValue() - start.getOrDefault(end.lastKey(), 0.0);
    if (total <= 0) {
      return Double.NaN;
    }
    double rank = q * total;
    double lower = 0;
    double below = 0;
    for (Map.Entry<Double, Double> e : end.entrySet()) {
      double cumulative = e.getValue() - start.getOrDefault(e.getKey(), 0.0);
      if (cumulative >= rank) {
        if (Double.isInfinite(e.getKey())) {
          return lower * 1000;
        }
        double inBucket = cumulative - below;
        double share = inBucket <= 0 ? 1 : (rank - below) / inBucket;
        return (lower + (e.getKey() - lower) * share) * 1000;
      }
      lower = e.getKey();
      below = cumulative;
    }
    return lower * 1000;
  }

  /** The counts of the last scrape at or before {@code seconds}; empty before the first. */
  private static TreeMap<Double, Double> at(List<Buckets> scrapes, double seconds) {
    TreeMap<Double, Double> found = new TreeMap<>();
    for (Buckets b : scrapes) {
      if (b.seconds() > seconds) {
        break;
      }
      found = b.cumulative();
    }
    return found;
  }
}
