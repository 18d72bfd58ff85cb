package dev.spillway.bench.scenario;

import dev.spillway.bench.load.LoadResult;
import dev.spillway.bench.load.LoadResult.Record;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;

/**
 * Per-request records of a made-up run, for report tests: requests intended evenly in time, each phase with its
 * shares of shed, failed and abandoned requests, the rest answered. Seeded, so every number a report computes
 * from them is the same on every machine and every run.
 */
final class SyntheticLoad {
  private static final long MS = 1_000_000L;

  /**
   * How a phase's requests end: shares (0..1) shed, failed (502) and abandoned without a first token; the rest
   * answered with a TTFT of about {@code ttftMs} (0.8–1.2×) and done {@code serviceMs} later with 16 tokens.
   * Shed answers take about {@code shedMs} (0.5–1.5×) after being sent up to 0.2 ms late.
   */
  record Outcomes(double shed, double errors, double abandoned, double ttftMs, double serviceMs, double shedMs) {
    /** Every request answered. */
    static Outcomes answered(double ttftMs, double serviceMs) {
      return new Outcomes(0, 0, 0, ttftMs, serviceMs, 1);
    }
  }

  private final List<Record> records = new ArrayList<>();
  private final SplittableRandom random;

  SyntheticLoad(long seed) {
    random = new SplittableRandom(seed);
  }

  /** {@code rate} requests a second intended evenly over {@code [from, to)} seconds, ending as {@code o} says. */
  SyntheticLoad phase(double from, double to, double rate, Outcomes o) {
    int n = (int) Math.round((to - from) * rate);
    double shed = 0;
    double errors = 0;
    double abandoned = 0;
    for (int i = 0; i < n; i++) {
      long intended = nanos(from + (to - from) * i / n);
      double jitter = random.nextDouble();
      boolean stream = i % 2 == 0;
      shed += o.shed();
      errors += o.errors();
      abandoned += o.abandoned();
      if (shed >= 1) {
        shed -= 1;
        long sent = intended + (long) (0.2 * jitter * MS);
        records.add(new Record(intended, sent + (long) (o.shedMs() * (0.5 + jitter) * MS), 503, stream, -1, 0, 0,
            sent, "limit"));
      } else if (errors >= 1) {
        errors -= 1;
        records.add(new Record(intended, intended + 5 * MS, 502, stream, -1, 0, 0));
      } else if (abandoned >= 1) {
        abandoned -= 1;
        records.add(new Record(intended, intended + (long) (20 * o.serviceMs() * MS), LoadResult.ABANDONED, stream,
            -1, 0, 0));
      } else {
        long first = intended + (long) (o.ttftMs() * (0.8 + 0.4 * jitter) * MS);
        records.add(new Record(intended, first + (long) (o.serviceMs() * MS), 200, stream, first, 16, 0));
      }
    }
    return this;
  }

  List<Record> records() {
    return List.copyOf(records);
  }

  /** The run over {@code [0, seconds)}. */
  RunStats stats(double seconds) {
    return new RunStats(records, 0, seconds);
  }

  /** A scraped series: {@code f} of the time, every {@code step} seconds over {@code [0, seconds)}. */
  static List<MetricsScraper.Sample> series(double seconds, double step, DoubleUnaryOperator f) {
    List<MetricsScraper.Sample> out = new ArrayList<>();
    for (int i = 0; i * step < seconds; i++) {
      out.add(new MetricsScraper.Sample(i * step, f.applyAsDouble(i * step)));
    }
    return out;
  }

  private static long nanos(double seconds) {
    return Math.round(seconds * 1e9);
  }
}
