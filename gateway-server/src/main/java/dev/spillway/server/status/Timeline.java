package dev.spillway.server.status;

import dev.spillway.core.observe.ExchangeRecord;
import org.HdrHistogram.Histogram;

/**
 * The last {@code capacity} seconds of one component (a route, a backend, or the whole gateway) in a fixed
 * ring of one-second buckets: requests served, failed, shed and refused, p50 and p99 latency, and the deepest
 * waiting room. Owned by the monitor thread alone, so nothing here is synchronized.
 */
final class Timeline {
  private static final long MAX_LATENCY_MICROS = 3_600_000_000L;

  private final int capacity;
  private final long[] second;
  private final long[] served;
  private final long[] errors;
  private final long[] shed;
  private final long[] refused;
  private final int[] queued;
  private final double[] p50Millis;
  private final double[] p99Millis;
  private final Histogram latency = new Histogram(MAX_LATENCY_MICROS, 2);
  /** The second being filled; it is closed by {@link #roll}. */
  private long current;
  private long curServed;
  private long curErrors;
  private long curShed;
  private long curRefused;
  private int curQueued;

  Timeline(int capacity, long startSecond) {
    this.capacity = capacity;
    this.second = new long[capacity];
    this.served = new long[capacity];
    this.errors = new long[capacity];
    this.shed = new long[capacity];
    this.refused = new long[capacity];
    this.queued = new int[capacity];
    this.p50Millis = new double[capacity];
    this.p99Millis = new double[capacity];
    java.util.Arrays.fill(second, Long.MIN_VALUE);
    this.current = startSecond;
  }

  void record(ExchangeRecord r, RecordKind kind) {
    switch (kind) {
      case SERVED -> curServed++;
      case ERROR -> curErrors++;
      case SHED -> curShed++;
      case REFUSED -> curRefused++;
      case CLIENT -> { }
    }
    if (kind == RecordKind.SERVED || kind == RecordKind.ERROR) {
      latency.recordValue(Math.min(MAX_LATENCY_MICROS, Math.max(0, r.durationNanos() / 1000)));
    }
  }

  /** Keeps the deepest waiting room sampled during the current second. */
  void sampleQueue(int depth) {
    curQueued = Math.max(curQueued, depth);
  }

  /** Closes every second before {@code nowSecond}; seconds with no tick in between stay empty. */
  void roll(long nowSecond) {
    if (nowSecond - current <= 0) {
      return;
    }
    int slot = slot(current);
    second[slot] = current;
    served[slot] = curServed;
    errors[slot] = curErrors;
    shed[slot] = curShed;
    refused[slot] = curRefused;
    queued[slot] = curQueued;
    boolean any = latency.getTotalCount() > 0;
    p50Millis[slot] = any ? latency.getValueAtPercentile(50) / 1000.0 : Double.NaN;
    p99Millis[slot] = any ? latency.getValueAtPercentile(99) / 1000.0 : Double.NaN;
    latency.reset();
    curServed = 0;
    curErrors = 0;
    curShed = 0;
    curRefused = 0;
    curQueued = 0;
    current = nowSecond;
  }

  /** Sums the last {@code seconds} closed seconds. */
  WindowStats window(int seconds) {
    long sv = 0;
    long er = 0;
    long sh = 0;
    long rf = 0;
    long peak = 0;
    int q = 0;
    for (long s = current - seconds; s - current < 0; s++) {
      int slot = slot(s);
      if (second[slot] != s) {
        continue;
      }
      sv += served[slot];
      er += errors[slot];
      sh += shed[slot];
      rf += refused[slot];
      peak = Math.max(peak, shed[slot]);
      q = Math.max(q, queued[slot]);
    }
    return new WindowStats(seconds, sv, er, sh, rf, peak, q);
  }

  /** The last {@code seconds} closed seconds, oldest first, for the status page's charts. */
  Series series(int seconds) {
    int n = Math.min(seconds, capacity);
    Series out = new Series(current - n, new long[n], new long[n], new long[n], new long[n], new int[n],
        new double[n], new double[n]);
    for (int i = 0; i < n; i++) {
      long s = current - n + i;
      int slot = slot(s);
      if (second[slot] != s) {
        out.p50Millis()[i] = Double.NaN;
        out.p99Millis()[i] = Double.NaN;
        continue;
      }
      out.served()[i] = served[slot];
      out.errors()[i] = errors[slot];
      out.shed()[i] = shed[slot];
      out.refused()[i] = refused[slot];
      out.queued()[i] = queued[slot];
      out.p50Millis()[i] = p50Millis[slot];
      out.p99Millis()[i] = p99Millis[slot];
    }
    return out;
  }

  private int slot(long s) {
    return (int) Math.floorMod(s, (long) capacity);
  }
}
