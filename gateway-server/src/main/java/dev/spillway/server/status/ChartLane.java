package dev.spillway.server.status;

import dev.spillway.core.observe.ExchangeRecord;
import dev.spillway.core.observe.RequestResult;
import java.util.Arrays;
import org.HdrHistogram.Histogram;

/**
 * The last {@code capacity} seconds of one component's chart data in a ring of one-second buckets: requests
 * admitted, shed for capacity, rate limited and failed; latency p50/p90/p99 and time to first token p50/p99;
 * completion tokens; the deepest waiting room, the most requests in flight and the concurrency limit sampled in
 * that second. Monitor thread only.
 */
final class ChartLane {
  private static final long MAX_MICROS = 3_600_000_000L;

  private final int capacity;
  private final long[] second;
  private final long[][] counts = new long[Count.values().length][];
  private final double[][] millis = new double[Millis.values().length][];
  private final long[] cur = new long[Count.values().length];
  private final Histogram latency = new Histogram(MAX_MICROS, 2);
  private final Histogram ttft = new Histogram(MAX_MICROS, 2);
  /** The second being filled; closed by {@link #roll}. */
  private long current;
  private boolean sampled;

  /** What is counted (or sampled) per second. */
  enum Count {
    ADMITTED, SHED, RATE_LIMITED, ERRORS, TOKENS, QUEUED, IN_FLIGHT, LIMIT
  }

  /** Latency percentiles kept per second, in milliseconds. */
  enum Millis {
    LATENCY_P50, LATENCY_P90, LATENCY_P99, TTFT_P50, TTFT_P99
  }

  ChartLane(int capacity, long startSecond) {
    this.capacity = capacity;
    this.second = new long[capacity];
    Arrays.fill(second, Long.MIN_VALUE);
    for (int i = 0; i < counts.length; i++) {
      counts[i] = new long[capacity];
    }
    for (int i = 0; i < millis.length; i++) {
      millis[i] = new double[capacity];
    }
    this.current = startSecond;
  }

  void record(ExchangeRecord r, RequestResult kind) {
    switch (kind) {
      case SERVED -> cur[Count.ADMITTED.ordinal()]++;
      case FAILED -> cur[Count.ERRORS.ordinal()]++;
      case SHED -> cur[Count.SHED.ordinal()]++;
      case RATE_LIMITED -> cur[Count.RATE_LIMITED.ordinal()]++;
      case REJECTED, CLIENT_CANCELLED -> { }
    }
    if (kind == RequestResult.SERVED || kind == RequestResult.FAILED) {
      latency.recordValue(clamp(r.durationNanos()));
    }
    if (kind == RequestResult.SERVED) {
      cur[Count.TOKENS.ordinal()] += Math.max(0, r.completionTokens());
      if (r.stream() && r.ttfbNanos() > 0) {
        ttft.recordValue(clamp(r.ttfbNanos()));
      }
    }
  }

  /** Keeps the deepest waiting room and the most requests in flight seen this second, and the latest limit. */
  void sample(int limit, int inFlight, int queued) {
    cur[Count.QUEUED.ordinal()] = Math.max(cur[Count.QUEUED.ordinal()], queued);
    cur[Count.IN_FLIGHT.ordinal()] = Math.max(cur[Count.IN_FLIGHT.ordinal()], inFlight);
    cur[Count.LIMIT.ordinal()] = limit;
    sampled = true;
  }

  /** Whether this lane has a concurrency limit to show. */
  boolean sampled() {
    return sampled;
  }

  /** Closes every second before {@code nowSecond}. */
  void roll(long nowSecond) {
    if (nowSecond - current <= 0) {
      return;
    }
    int slot = slot(current);
    second[slot] = current;
    for (int i = 0; i < counts.length; i++) {
      counts[i][slot] = cur[i];
      cur[i] = 0;
    }
    percentiles(latency, slot, Millis.LATENCY_P50, 50, Millis.LATENCY_P90, 90, Millis.LATENCY_P99, 99);
    percentiles(ttft, slot, Millis.TTFT_P50, 50, null, 0, Millis.TTFT_P99, 99);
    current = nowSecond;
  }

  /** The last {@code n} closed seconds, oldest first; a second without data is 0 (counts) or NaN (latencies). */
  ChartSeries series(int n) {
    int len = Math.min(n, capacity);
    long[][] c = new long[counts.length][len];
    double[][] m = new double[millis.length][len];
    for (int i = 0; i < len; i++) {
      long s = current - len + i;
      int slot = slot(s);
      boolean known = second[slot] == s;
      for (int k = 0; k < counts.length; k++) {
        c[k][i] = known ? counts[k][slot] : 0;
      }
      for (int k = 0; k < millis.length; k++) {
        m[k][i] = known ? millis[k][slot] : Double.NaN;
      }
    }
    return new ChartSeries(current - len, c, m);
  }

  private void percentiles(Histogram h, int slot, Millis a, double pa, Millis b, double pb, Millis c, double pc) {
    boolean any = h.getTotalCount() > 0;
    millis[a.ordinal()][slot] = any ? h.getValueAtPercentile(pa) / 1000.0 : Double.NaN;
    if (b != null) {
      millis[b.ordinal()][slot] = any ? h.getValueAtPercentile(pb) / 1000.0 : Double.NaN;
    }
    millis[c.ordinal()][slot] = any ? h.getValueAtPercentile(pc) / 1000.0 : Double.NaN;
    h.reset();
  }

  private static long clamp(long nanos) {
    return Math.min(MAX_MICROS, Math.max(0, nanos / 1000));
  }

  private int slot(long s) {
    return (int) Math.floorMod(s, (long) capacity);
  }
}
