package dev.spillway.bench.load;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A Zipf distribution over ranks {@code 1..n}: rank {@code k} is drawn with probability proportional to
 * {@code 1/k^s}. Many tenants, a few of them heavy, as API traffic usually is. Sampling is a binary search
 * in the precomputed cumulative distribution.
 */
public final class Zipf {
  private final double[] cumulative;
  private final double exponent;

  /** Ranks {@code 1..n} with exponent {@code s}. */
  public Zipf(int n, double s) {
    if (n < 1 || n > 10_000_000) {
      throw new IllegalArgumentException("n: " + n + " (expected: 1..10000000)");
    }
    if (!(s >= 0) || Double.isInfinite(s)) {
      throw new IllegalArgumentException("s: " + s + " (expected: >= 0 and finite)");
    }
    exponent = s;
    cumulative = new double[n];
    double sum = 0;
    for (int k = 1; k <= n; k++) {
      sum += 1 / Math.pow(k, s);
      cumulative[k - 1] = sum;
    }
    for (int k = 0; k < n; k++) {
      cumulative[k] /= sum;
    }
  }

  public int size() {
    return cumulative.length;
  }

  public double exponent() {
    return exponent;
  }

  /** Draws a rank, 1 to n. */
  public int sample(SplittableRandom random) {
    double u = random.nextDouble();
    int i = Arrays.binarySearch(cumulative, u);
    int rank = i >= 0 ? i + 1 : -i;
    return Math.min(rank, cumulative.length);
  }

  /** The probability of rank {@code k}. */
  public double probability(int k) {
    return cumulative[k - 1] - (k == 1 ? 0 : cumulative[k - 2]);
  }
}
