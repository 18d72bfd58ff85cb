package dev.spillway.core.admission.concurrency;

import dev.spillway.core.admission.concurrency.LatencySample.Signal;

/**
 * The queue a window's median cannot see: a calm window (its median near the baseline) in which a minority
 * of the requests admitted near the limit waited for a place at the backend. Two shapes of it, both found on
 * the benchmarks' fixed mock (64 slots x 500 ms), where the limit settled a few places above the slots with
 * stream TTFT p99 at 6 to 12 times the unloaded one:
 *
 * <ul>
 *   <li><b>Places freed in bursts</b> (exact service times: a batch that ends together). Every request
 *       admitted with a place free is served at its baseline; the few beyond the places wait for the next
 *       burst, a good part of a slot's holding time. With the limit 2 above 64 slots, 3 % of the requests
 *       waited up to 500 ms, the medians stayed at their baselines, and the limit crept to 71 (with only
 *       non-streamed answers, slow start took it to 185). A sample beyond the bar ({@link #bar}: half a
 *       slot's holding time for a first token, half the baseline per token, and at least
 *       {@value #SPREADS_AWAY} calm spreads) is queued; by time per token only in slow start (past it,
 *       answers slow by themselves read as a queue). Of the latest {@value #RECENT} samples admitted near the
 *       limit since the last decrease, whatever window they were admitted in, once the queued ones are
 *       {@value #MIN_QUEUED} or more and, spread over the limit, at least half a request, the limit comes
 *       down by their share (with {@code limit} admitted, {@code limit - places} of them wait). In slow start
 *       one is enough: the window that grew the limit x1.6 past the places closes on the requests that found
 *       one (those that queued come back last), so it shows one queued of a dozen while a third of them
 *       queue.</li>
 *   <li><b>A few queued, spread out</b> (an overflow tier, which takes requests as its places free, not in
 *       bursts). Each waits a departure or a few: the window's {@value #HIGH_QUANTILE} quantile of first
 *       tokens is past the queue bar while its median is not, and the backend was just seen serving at least
 *       {@value #MIN_SHORT} fewer at once than the limit ({@link ServedAtOnce}): the limit steps to what it
 *       served, at most {@value DecreaseRules#DROP_FACTOR} of itself down. On the same mock as an overflow
 *       tier the limit held 67 for 15 s, its TTFT p99 at 6 times the unloaded one.</li>
 * </ul>
 * Neither applies where first tokens carry their prompt's prefill: an LLM engine's first tokens stray with
 * the prompts beside them. A decrease forgets the samples: they were measured under the old limit. Not
 * thread-safe.
 */
final class QueuedTail {
  /** A queued sample lies at least this many calm spreads above the baseline. */
  static final int SPREADS_AWAY = 3;
  static final int MIN_QUEUED = 2;
  static final double MIN_QUEUED_PER_LIMIT = 0.5;
  /** The latest samples admitted near the limit since the last decrease that are judged, at most. */
  static final int RECENT = 128;
  /** The fewest such samples a share is read from. */
  static final int MIN_RECENT = 16;
  /**
   * How far above its baseline a queued sample is at least: this share of the baseline per token, of a
   * slot's holding time for a first token.
   */
  static final double QUEUED_SHARE = 0.5;
  static final double HIGH_QUANTILE = 0.9;
  /**
   * How many places short of the limit the backend must have been seen serving for a high quantile to count:
   * one request waiting a departure costs little, and on a continuous-batching engine one over its batch is
   * where the limit probes (cutting it there worsened the engine's TTFT p99 from 1.34 to 1.95 times the
   * unloaded one).
   */
  static final int MIN_SHORT = 2;

  private final RecentSamples[] recent = new RecentSamples[SampleWindow.signals().length];

  QueuedTail() {
    for (int i = 0; i < recent.length; i++) {
      recent[i] = new RecentSamples(RECENT);
    }
  }

  /**
   * A sample of a request admitted near the limit since the last decrease, whatever window it came in: the
   * queued ones come back last, after the window they were admitted in has closed on those that found a place.
   */
  void add(LatencySample sample) {
    recent[sample.signal().ordinal()].add(sample.latencyNanos(), 0);
  }

  /**
   * Judges a calm window by {@code signal}: its samples admitted with {@code minInFlight} or more in flight
   * (the limit was reached), and the latest such samples whenever admitted ({@link #add}).
   *
   * @param limit the limit the window ran under
   * @param departuresPerSecond places freeing at the backend (0: unknown)
   * @param highFirstToken how far a first token goes without a queue ({@link DecreaseRules#highFirstTokenNanos})
   * @param served what the backend was just seen serving at once; 0 if unknown
   * @param spreadNanos how far samples stray in calm windows ({@link LatencySignals#knownSpreadNanos}), -1 if unknown
   * @return the limit to come down to, or {@code NaN} to stay
   */
  double judge(SampleWindow w, Signal signal, int minInFlight, long baseline, double limit,
      double departuresPerSecond, long highFirstToken, int served, long spreadNanos, boolean slowStart) {
    boolean firstToken = signal == Signal.FIRST_TOKEN;
    if (firstToken && departuresPerSecond <= 0 || spreadNanos < 0) {
      return Double.NaN;
    }
    // A slot's holding time without a queue: what the backend serves at once over the rate places free
    // (the limit over it would count the queue in: from 1,024 the limit stuck at 124 on 64 slots, its bar
    // above the longest wait).
    double places = served > 0 ? Math.min(served, limit) : limit;
    long margin = firstToken ? Math.max(highFirstToken - baseline, (long) (QUEUED_SHARE * places / departuresPerSecond * 1e9))
        : (long) (baseline * QUEUED_SHARE);
    RecentSamples latest = recent[signal.ordinal()];
    // Time per token only in slow start: past it, a backend whose answers are slow by themselves now and then
    // (5 % of them four times as long) read as a queue, and each cut took a slice off its limit (to 39 of 64
    // at 5x; to 6 on 64 x 50 ms). First tokens are judged against half a slot's holding time, far above that.
    if (latest.size() >= MIN_RECENT && (firstToken || slowStart)) {
      int queued = latest.countAbove(bar(baseline, margin, spreadNanos));
      double share = (double) queued / latest.size();
      if (queued >= (slowStart ? 1 : MIN_QUEUED) && limit * share >= MIN_QUEUED_PER_LIMIT) {
        reset();
        return Math.max(limit * DecreaseRules.MIN_GRADIENT, Math.min(limit * (1 - share), limit - 1));
      }
    }
    if (firstToken && served > 0 && served <= limit - MIN_SHORT && w.quantile(signal, minInFlight, HIGH_QUANTILE) > highFirstToken) {
      reset();
      return Math.max(served, limit * DecreaseRules.DROP_FACTOR);
    }
    return Double.NaN;
  }

  /** How far above {@code baseline} a sample is queued: {@code minMargin}, or {@value #SPREADS_AWAY} spreads if more. */
  static long bar(long baseline, long minMargin, long spreadNanos) {
    return baseline + Math.max(minMargin, SPREADS_AWAY * spreadNanos);
  }

  /** The limit came down: what was measured was measured under the old one. */
  void reset() {
    for (RecentSamples r : recent) {
      r.clear();
    }
  }
}
