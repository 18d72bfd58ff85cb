package dev.spillway.server.status;

import dev.spillway.core.observe.ExchangeRecord;
import dev.spillway.core.observe.RequestResult;
import org.HdrHistogram.Histogram;

/**
 * The last {@code capacity} seconds of one component (a route, a backend, or the whole gateway) in a fixed
 * ring of one-second buckets: counts by {@link RequestResult} (plus requests answered by a fallback), p50 and
 * p99 latency, and the deepest waiting room. Owned by the monitor thread alone, so nothing here is
 * synchronized.
 *
 * <p>A backend's timeline counts served and failed from its endpoints' attempts ({@link #addAttempts}), every
 * attempt once, so a primary whose attempts all fail before a fallback answers shows those failures; its
 * other counts and its latency come from the requests it finished.
 */
final class Timeline {
  private static final long MAX_LATENCY_MICROS = 3_600_000_000L;
  private static final int SERVED = RequestResult.SERVED.ordinal();
  private static final int FAILED = RequestResult.FAILED.ordinal();
  private static final int SHED = RequestResult.SHED.ordinal();
  /** The count after the results: requests a fallback backend answered. */
  private static final int FALLBACK = RequestResult.values().length;
  private static final int COUNTS = FALLBACK + 1;

  private final int capacity;
  private final boolean attemptCounted;
  private final long[] second;
  private final long[][] counts;
  private final int[] queued;
  private final double[] p50Millis;
  private final double[] p99Millis;
  private final Histogram latency = new Histogram(MAX_LATENCY_MICROS, 2);
  /** The second being filled; it is closed by {@link #roll}. */
  private long current;
  private final long[] cur = new long[COUNTS];
  private int curQueued;

  /** A timeline counting finished requests (a route, the gateway). */
  Timeline(int capacity, long startSecond) {
    this(capacity, startSecond, false);
  }

  /** @param attemptCounted served and failed come from {@link #addAttempts}, not from records (a backend) */
  Timeline(int capacity, long startSecond, boolean attemptCounted) {
    this.capacity = capacity;
    this.attemptCounted = attemptCounted;
    this.second = new long[capacity];
    this.counts = new long[COUNTS][capacity];
    this.queued = new int[capacity];
    this.p50Millis = new double[capacity];
    this.p99Millis = new double[capacity];
    java.util.Arrays.fill(second, Long.MIN_VALUE);
    this.current = startSecond;
  }

  void record(ExchangeRecord r, RequestResult result) {
    boolean answered = result == RequestResult.SERVED || result == RequestResult.FAILED;
    if (!(attemptCounted && answered)) {
      cur[result.ordinal()]++;
    }
    if (result == RequestResult.SERVED && r.tier() > 0) {
      cur[FALLBACK]++;
    }
    if (answered) {
      latency.recordValue(Math.min(MAX_LATENCY_MICROS, Math.max(0, r.durationNanos() / 1000)));
    }
  }

  /** Counts attempts that ended well ({@code served}) or at the endpoint's fault ({@code failed}). */
  void addAttempts(long served, long failed) {
    cur[SERVED] += served;
    cur[FAILED] += failed;
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
    for (int k = 0; k < COUNTS; k++) {
      counts[k][slot] = cur[k];
      cur[k] = 0;
    }
    queued[slot] = curQueued;
    boolean any = latency.getTotalCount() > 0;
    p50Millis[slot] = any ? latency.getValueAtPercentile(50) / 1000.0 : Double.NaN;
    p99Millis[slot] = any ? latency.getValueAtPercentile(99) / 1000.0 : Double.NaN;
    latency.reset();
    curQueued = 0;
    current = nowSecond;
  }

  /** Sums the last {@code seconds} closed seconds. */
  WindowStats window(int seconds) {
    long[] sum = new long[COUNTS];
    long peak = 0;
    int q = 0;
    for (long s = current - seconds; s - current < 0; s++) {
      int slot = slot(s);
      if (second[slot] != s) {
        continue;
      }
      for (int k = 0; k < COUNTS; k++) {
        sum[k] += counts[k][slot];
      }
      peak = Math.max(peak, counts[SHED][slot]);
      q = Math.max(q, queued[slot]);
    }
    return new WindowStats(seconds, sum[SERVED], sum[FAILED], sum[SHED],
        sum[RequestResult.RATE_LIMITED.ordinal()], sum[RequestResult.REJECTED.ordinal()],
        sum[RequestResult.CLIENT_CANCELLED.ordinal()], sum[FALLBACK], peak, q);
  }

  /** The last {@code seconds} closed seconds, oldest first, for the status page's charts. */
  Series series(int seconds) {
    int n = Math.min(seconds, capacity);
    Series out = new Series(current - n, new long[n], new long[n], new long[n], new long[n], new long[n],
        new int[n], new double[n], new double[n]);
    for (int i = 0; i < n; i++) {
      long s = current - n + i;
      int slot = slot(s);
      if (second[slot] != s) {
        out.p50Millis()[i] = Double.NaN;
        out.p99Millis()[i] = Double.NaN;
        continue;
      }
      out.served()[i] = counts[SERVED][slot];
      out.failed()[i] = counts[FAILED][slot];
      out.shed()[i] = counts[SHED][slot];
      out.rateLimited()[i] = counts[RequestResult.RATE_LIMITED.ordinal()][slot];
      out.rejected()[i] = counts[RequestResult.REJECTED.ordinal()][slot];
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
