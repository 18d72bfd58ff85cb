package dev.spillway.bench.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * An open-loop arrival schedule: one or more phases, each a constant rate for a fixed time. Request {@code i}
 * has a fixed intended start, its offset from the run's origin, decided before the run and never moved by
 * how long earlier requests take. Latency is measured from that intended start, so a stalled target cannot
 * hide its stall by slowing the generator down (coordinated omission). Within a phase requests are evenly
 * spaced unless the schedule has random {@link Arrivals} (Poisson or bursty), whose intended starts are
 * drawn once, from the seed, when the schedule is built.
 */
public final class Schedule {
  /** A hard bound on one schedule, so a typo in a rate cannot make an endless run. */
  public static final long MAX_REQUESTS = 5_000_000;

  /** One constant-rate stretch of a schedule. */
  public record Phase(double ratePerSecond, Duration duration) {
    /** Validates the rate and duration. */
    public Phase {
      if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
        throw new IllegalArgumentException("ratePerSecond: " + ratePerSecond + " (expected: > 0 and finite)");
      }
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException("duration: " + duration + " (expected: > 0)");
      }
    }

    long count() {
      return Math.max(1, (long) Math.floor(ratePerSecond * duration.toNanos() / 1e9));
    }
  }

  private final List<Phase> phases;
  private final Arrivals arrivals;
  /** Every intended start, for random arrivals; null for evenly spaced ones, which are computed. */
  private final long[] offsets;
  private final long[] firstIndex;
  private final long[] startNanos;
  private final long count;
  private final long durationNanos;

  private Schedule(List<Phase> phases, Arrivals arrivals) {
    if (phases.isEmpty()) {
      throw new IllegalArgumentException("phases: [] (expected: at least one)");
    }
    this.phases = List.copyOf(phases);
    this.arrivals = arrivals;
    firstIndex = new long[phases.size()];
    startNanos = new long[phases.size()];
    long expected = 0;
    long t = 0;
    for (int k = 0; k < phases.size(); k++) {
      startNanos[k] = t;
      expected += phases.get(k).count();
      t += phases.get(k).duration().toNanos();
    }
    if (expected > MAX_REQUESTS) {
      throw new IllegalArgumentException("requests: " + expected + " (expected: <= " + MAX_REQUESTS + ")");
    }
    durationNanos = t;
    if (arrivals.kind() == Arrivals.Kind.UNIFORM) {
      offsets = null;
      long n = 0;
      for (int k = 0; k < phases.size(); k++) {
        firstIndex[k] = n;
        n += phases.get(k).count();
      }
      count = n;
    } else {
      offsets = draw(phases, arrivals, startNanos, firstIndex);
      count = offsets.length;
    }
  }

  /** Draws random intended starts phase by phase; each phase's process restarts at the phase's start. */
  private static long[] draw(List<Phase> phases, Arrivals arrivals, long[] startNanos, long[] firstIndex) {
    SplittableRandom random = new SplittableRandom(arrivals.seed());
    long[] out = new long[1024];
    int n = 0;
    for (int k = 0; k < phases.size(); k++) {
      firstIndex[k] = n;
      Phase phase = phases.get(k);
      long end = startNanos[k] + phase.duration().toNanos();
      long t = startNanos[k] + arrivals.gapNanos(phase.ratePerSecond(), random);
      while (t < end) {
        if (n == MAX_REQUESTS) {
          throw new IllegalArgumentException("requests: > " + MAX_REQUESTS + " (expected: <= " + MAX_REQUESTS + ")");
        }
        if (n == out.length) {
          out = Arrays.copyOf(out, out.length * 2);
        }
        out[n++] = t;
        t += arrivals.gapNanos(phase.ratePerSecond(), random);
      }
    }
    if (n == 0) {
      // A schedule always sends something, like an evenly spaced one (Phase.count() is at least 1).
      return new long[] {0};
    }
    return Arrays.copyOf(out, n);
  }

  /** One phase: {@code ratePerSecond} for {@code duration}. */
  public static Schedule constant(double ratePerSecond, Duration duration) {
    return new Schedule(List.of(new Phase(ratePerSecond, duration)), Arrivals.uniform());
  }

  /** One phase: {@code ratePerSecond} on average for {@code duration}, arriving as {@code arrivals} says. */
  public static Schedule constant(double ratePerSecond, Duration duration, Arrivals arrivals) {
    return new Schedule(List.of(new Phase(ratePerSecond, duration)), arrivals);
  }

  /** The phases in order, each starting where the previous one ends. */
  public static Schedule of(List<Phase> phases) {
    return new Schedule(new ArrayList<>(phases), Arrivals.uniform());
  }

  /** The phases in order, requests arriving within each as {@code arrivals} says. */
  public static Schedule of(List<Phase> phases, Arrivals arrivals) {
    return new Schedule(new ArrayList<>(phases), arrivals);
  }

  public Arrivals arrivals() {
    return arrivals;
  }

  /** How many requests the schedule sends in all. */
  public long count() {
    return count;
  }

  /** The schedule's length: the sum of its phases. */
  public long durationNanos() {
    return durationNanos;
  }

  public List<Phase> phases() {
    return phases;
  }

  /** The intended start of request {@code i}, in nanoseconds from the origin. */
  public long offsetNanos(long i) {
    if (i < 0 || i >= count) {
      throw new IndexOutOfBoundsException("i: " + i + " (expected: 0.." + (count - 1) + ")");
    }
    if (offsets != null) {
      return offsets[(int) i];
    }
    int k = phaseOf(i);
    long j = i - firstIndex[k];
    // Computed from the phase start, not accumulated, so rounding never drifts over a long phase.
    return startNanos[k] + Math.round(j * 1e9 / phases.get(k).ratePerSecond());
  }

  /** The phase request {@code i} belongs to. */
  public int phaseOf(long i) {
    int k = phases.size() - 1;
    while (k > 0 && firstIndex[k] > i) {
      k--;
    }
    return k;
  }

  /** Where phase {@code k} starts, in nanoseconds from the origin. */
  public long phaseStartNanos(int k) {
    return startNanos[k];
  }
}
