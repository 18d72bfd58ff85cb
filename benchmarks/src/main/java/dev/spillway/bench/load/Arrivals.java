package dev.spillway.bench.load;

import java.util.SplittableRandom;

/**
 * How requests arrive within a phase of a {@link Schedule}: evenly spaced, as a Poisson process, or as a
 * bursty hyperexponential process. Random processes are seeded, so the same seed gives the same intended
 * starts on every run and for every target.
 *
 * <p>The bursty process draws each gap from one of two exponentials with balanced means (the standard
 * two-phase hyperexponential, H2): with coefficient of variation {@code c}, a gap comes from the short
 * exponential with probability {@code p = (1 + sqrt((c²−1)/(c²+1)))/2}, rate {@code 2pλ}, and from the long
 * one otherwise, rate {@code 2(1−p)λ}. The mean rate stays λ; the gaps' standard deviation is {@code c} times
 * their mean, so requests come in clumps separated by long silences.
 *
 * @param kind the process
 * @param cv the gaps' coefficient of variation (1 for Poisson and ignored for uniform; ≥ 1 for bursty)
 * @param seed the random seed
 */
public record Arrivals(Kind kind, double cv, long seed) {
  /** The arrival process. */
  public enum Kind {
    /** Gaps of exactly 1/λ. */
    UNIFORM,
    /** Exponential gaps: coefficient of variation 1. */
    POISSON,
    /** Two-phase hyperexponential gaps: coefficient of variation {@code cv}. */
    HYPEREXPONENTIAL
  }

  /** Validates the coefficient of variation. */
  public Arrivals {
    if (kind == null) {
      throw new IllegalArgumentException("kind: null (expected: a process)");
    }
    if (kind == Kind.HYPEREXPONENTIAL && !(cv >= 1 && cv <= 100)) {
      throw new IllegalArgumentException("cv: " + cv + " (expected: 1..100)");
    }
  }

  /** Evenly spaced requests. */
  public static Arrivals uniform() {
    return new Arrivals(Kind.UNIFORM, 0, 0);
  }

  /** A Poisson process. */
  public static Arrivals poisson(long seed) {
    return new Arrivals(Kind.POISSON, 1, seed);
  }

  /** Bursts: hyperexponential gaps whose standard deviation is {@code cv} times their mean. */
  public static Arrivals bursty(double cv, long seed) {
    return new Arrivals(Kind.HYPEREXPONENTIAL, cv, seed);
  }

  /** A short description for reports, e.g. {@code Poisson} or {@code bursty (H2, CV 3)}. */
  public String describe() {
    return switch (kind) {
      case UNIFORM -> "evenly spaced";
      case POISSON -> "Poisson";
      case HYPEREXPONENTIAL -> "bursty (hyperexponential, CV " + trim(cv) + ")";
    };
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }

  /** Draws the next gap, in nanoseconds, for a mean rate of {@code ratePerSecond}. */
  long gapNanos(double ratePerSecond, SplittableRandom random) {
    double meanNanos = 1e9 / ratePerSecond;
    return switch (kind) {
      case UNIFORM -> Math.round(meanNanos);
      case POISSON -> Math.round(exponential(random) * meanNanos);
      case HYPEREXPONENTIAL -> {
        double c2 = cv * cv;
        double p = (1 + Math.sqrt((c2 - 1) / (c2 + 1))) / 2;
        // Balanced means: each branch contributes half of the mean gap.
        double branchMean = random.nextDouble() < p ? meanNanos / (2 * p) : meanNanos / (2 * (1 - p));
        yield Math.round(exponential(random) * branchMean);
      }
    };
  }

  private static double exponential(SplittableRandom random) {
    // 1 - nextDouble() is in (0, 1], so the logarithm is finite.
    return -Math.log(1 - random.nextDouble());
  }
}
