package dev.spillway.bench.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * An open-loop arrival schedule: one or more phases, each a constant rate for a fixed time. Request {@code i}
 * has a fixed intended start, its offset from the run's origin, decided before the run and never moved by
 * how long earlier requests take. Latency is measured from that intended start, so a stalled target cannot
 * hide its stall by slowing the generator down (coordinated omission).
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
  private final long[] firstIndex;
  private final long[] startNanos;
  private final long count;
  private final long durationNanos;

  private Schedule(List<Phase> phases) {
    if (phases.isEmpty()) {
      throw new IllegalArgumentException("phases: [] (expected: at least one)");
    }
    this.phases = List.copyOf(phases);
    firstIndex = new long[phases.size()];
    startNanos = new long[phases.size()];
    long n = 0;
    long t = 0;
    for (int k = 0; k < phases.size(); k++) {
      firstIndex[k] = n;
      startNanos[k] = t;
      n += phases.get(k).count();
      t += phases.get(k).duration().toNanos();
    }
    if (n > MAX_REQUESTS) {
      throw new IllegalArgumentException("requests: " + n + " (expected: <= " + MAX_REQUESTS + ")");
    }
    count = n;
    durationNanos = t;
  }

  /** One phase: {@code ratePerSecond} for {@code duration}. */
  public static Schedule constant(double ratePerSecond, Duration duration) {
    return new Schedule(List.of(new Phase(ratePerSecond, duration)));
  }

  /** The phases in order, each starting where the previous one ends. */
  public static Schedule of(List<Phase> phases) {
    return new Schedule(new ArrayList<>(phases));
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
    int k = phaseOf(i);
    long j = i - firstIndex[k];
    // Computed from the phase start, not accumulated, so rounding never drifts over a long phase.
    return startNanos[k] + Math.round(j * 1e9 / phases.get(k).ratePerSecond());
  }

  /** The phase request {@code i} belongs to. */
  public int phaseOf(long i) {
    int k = phases.size() - 1;
    while (firstIndex[k] > i) {
      k--;
    }
    return k;
  }

  /** Where phase {@code k} starts, in nanoseconds from the origin. */
  public long phaseStartNanos(int k) {
    return startNanos[k];
  }
}
