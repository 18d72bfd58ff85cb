package dev.spillway.server.mock.engine;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * A Prometheus histogram with fixed upper bounds, written by the engine loop and read by any connection that
 * serves {@code GET /metrics}.
 */
final class Histogram {
  private final double[] bounds;
  /** Per bucket, not cumulative; the last slot is +Inf. */
  private final AtomicLongArray counts;
  private final DoubleAdder sum = new DoubleAdder();

  Histogram(double... bounds) {
    this.bounds = bounds.clone();
    this.counts = new AtomicLongArray(bounds.length + 1);
  }

  void observe(double value) {
    int i = 0;
    while (i < bounds.length && value > bounds[i]) {
      i++;
    }
    counts.incrementAndGet(i);
    sum.add(value);
  }

  long count() {
    long n = 0;
    for (int i = 0; i < counts.length(); i++) {
      n += counts.get(i);
    }
    return n;
  }

  double sum() {
    return sum.sum();
  }

  /** Appends the {@code _bucket}, {@code _sum} and {@code _count} lines, with {@code labels} inside braces. */
  void render(StringBuilder out, String name, String labels) {
    long cumulative = 0;
    String sep = labels.isEmpty() ? "" : ",";
    for (int i = 0; i <= bounds.length; i++) {
      cumulative += counts.get(i);
      String le = i < bounds.length ? Double.toString(bounds[i]) : "+Inf";
      out.append(name).append("_bucket{").append(labels).append(sep).append("le=\"").append(le).append("\"} ")
          .append((double) cumulative).append('\n');
    }
    // _count is the +Inf bucket, read once, so the two always agree in one scrape.
    String braces = labels.isEmpty() ? "" : "{" + labels + "}";
    out.append(name).append("_sum").append(braces).append(' ').append(sum.sum()).append('\n');
    out.append(name).append("_count").append(braces).append(' ').append((double) cumulative).append('\n');
  }
}
