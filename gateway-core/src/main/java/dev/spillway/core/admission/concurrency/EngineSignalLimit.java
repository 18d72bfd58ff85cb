package dev.spillway.core.admission.concurrency;

import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.EngineSignalConfig;
import dev.spillway.core.time.Ticker;

/**
 * A backend's limit bounded by what its engines report: the latency-based limit (static or
 * {@link GradientLimit}) keeps running, and an engine limit aims at keeping each engine's waiting queue near
 * {@code targetWaiting}. The backend's limit is the smaller of the two ({@code combine: min}), or the engine
 * limit alone ({@code combine: override}) while the metrics are fresh. Once per {@code interval} (counted from
 * the first fresh reading), with fresh engine metrics:
 * <pre>
 *   demand = the most requests in flight (plus those waiting for a permit) seen over the last two intervals,
 *            from finished requests and from each refresh
 *   waiting per engine &gt; targetWaiting in this reading and the one before (the lesser of the two counts):
 *       engineLimit = max(minLimit, min(engineLimit, max(demand - (waiting - targetWaiting), demand / 2)))
 *       (unchanged when this gateway sent nothing: the queue is other clients', and a shrink now would only
 *       make its next traffic start from the bottom)
 *   waiting per engine == 0 and demand &gt;= engineLimit - sqrt(engineLimit):
 *       engineLimit = min(maxLimit, engineLimit + sqrt(engineLimit)), or + 1 within {@value #CALM_INTERVALS}
 *       adjustments of a queue
 *   otherwise (a queue within the target, or traffic below the limit): unchanged
 * </pre>
 * A queue in one reading alone is an engine taking a burst of prompts in at its next steps, not a shortage of
 * places: cutting on it shed requests at half load. A shrink goes straight to what the engines run plus the
 * target, and not further while requests admitted before it still wait (the demand of the last two intervals
 * still holds them); the limit only grows while it is actually reached and the engines' queues are empty,
 * slowly just after they held requests, so it does not saw up and down around the engines' batch. Without fresh engine metrics (scrapes failing or stale) the
 * engine limit neither moves nor applies: the latency limit alone decides.
 *
 * <p>Why a queue target rather than KV-cache use: an engine's waiting queue is where a request's time to first
 * token is lost, and a few waiting requests keep the batch full between scrapes; KV-cache use near 100% is
 * normal for a busy engine and says nothing about queueing.
 */
final class EngineSignalLimit implements ConcurrencyLimit {
  /** The largest share of the demand one shrink takes away. */
  static final double MAX_CUT = 0.5;
  /** Adjustments with empty queues after which the limit grows by its square root again rather than by one. */
  static final int CALM_INTERVALS = 4;

  /** Whether the engine metrics were fresh at the last read of the limit. */
  enum Signal { FRESH, STALE }

  private final ConcurrencyLimit latency;
  private final EngineLoad load;
  private final Ticker ticker;
  private final long intervalNanos;
  private final int targetWaiting;
  private final int minLimit;
  private final int maxLimit;
  private final EngineSignalConfig.Combine combine;
  private double engineLimit;
  private long lastAdjustNanos;
  private boolean started;
  private int windowPeak;
  private int previousPeak;
  /** Adjustments in a row that found the queues empty, up to {@link #CALM_INTERVALS}. */
  private int emptyIntervals = CALM_INTERVALS;
  private Signal signal = Signal.STALE;
  /** The waiting queue at the previous adjustment. */
  private double previousWaiting;

  EngineSignalLimit(ConcurrencyLimit latency, EngineLoad load, ConcurrencyConfig config, Ticker ticker) {
    EngineSignalConfig engine = config.engineSignal();
    this.latency = latency;
    this.load = load;
    this.ticker = ticker;
    this.intervalNanos = engine.interval().toNanos();
    this.targetWaiting = engine.targetWaiting();
    this.minLimit = config.minLimit();
    this.maxLimit = Math.max(config.maxLimit(), config.limit());
    this.engineLimit = config.limit();
    this.combine = engine.combine();
  }

  @Override
  public int limit() {
    long now = ticker.nanoTime();
    int latencyLimit = latency.limit();
    double waiting = load.waitingPerEngine(now);
    if (Double.isNaN(waiting)) {
      signal = Signal.STALE;
      return latencyLimit;
    }
    signal = Signal.FRESH;
    if (!started) {
      started = true;
      lastAdjustNanos = now;
    } else if (now - lastAdjustNanos >= intervalNanos) {
      adjust(waiting);
      lastAdjustNanos = now;
    }
    double limit = combine == EngineSignalConfig.Combine.OVERRIDE ? engineLimit
        : Math.min(latencyLimit, engineLimit);
    return (int) Math.max(1, limit);
  }

  @Override
  public long window() {
    return latency.window();
  }

  @Override
  public void onSample(LatencySample sample, int inFlight, long window, long now) {
    windowPeak = Math.max(windowPeak, inFlight);
    latency.onSample(sample, inFlight, window, now);
  }

  @Override
  public void onAnswering(boolean started) {
    latency.onAnswering(started);
  }

  @Override
  public void onUnused(int peakInFlight, long now) {
    latency.onUnused(peakInFlight, now);
  }

  @Override
  public void onRelease(long now) {
    latency.onRelease(now);
  }

  @Override
  public void onDropped(long window, long now) {
    latency.onDropped(window, now);
  }

  @Override
  public void onTick(long now) {
    latency.onTick(now);
  }

  @Override
  public boolean searching() {
    return latency.searching();
  }

  @Override
  public long baselineNanos(LatencySample.Signal signal) {
    return latency.baselineNanos(signal);
  }

  @Override
  public void onRefresh(int inFlight, int queued) {
    windowPeak = (int) Math.max(windowPeak, Math.min(Integer.MAX_VALUE, (long) inFlight + queued));
    latency.onRefresh(inFlight, queued);
  }

  /** The latency limit this one bounds. */
  ConcurrencyLimit latency() {
    return latency;
  }

  /**
   * Continues from {@code previous} after a reload (same backend, new settings or new endpoints): its engine
   * limit, clamped to this one's bounds, and its adjustment rhythm.
   */
  void continueFrom(EngineSignalLimit previous) {
    engineLimit = Math.max(minLimit, Math.min(maxLimit, previous.engineLimit));
    started = previous.started;
    lastAdjustNanos = previous.lastAdjustNanos;
    windowPeak = previous.windowPeak;
    previousPeak = previous.previousPeak;
    emptyIntervals = previous.emptyIntervals;
    previousWaiting = previous.previousWaiting;
  }

  /** The engine limit alone, for tests and status. */
  double engineLimit() {
    return engineLimit;
  }

  Signal signal() {
    return signal;
  }

  private void adjust(double waiting) {
    // A queue counts when it held in the previous reading too: an engine that takes a burst of prompts in at
    // its next steps shows them waiting for one scrape, with no shortage of slots or cache.
    double persistent = Math.min(waiting, previousWaiting);
    previousWaiting = waiting;
    int demand = Math.max(windowPeak, previousPeak);
    if (persistent > targetWaiting && demand > 0) {
      engineLimit = Math.max(minLimit, Math.min(engineLimit, shrunk(demand, persistent - targetWaiting)));
    } else if (waiting == 0 && demand > 0 && demand >= engineLimit - Math.sqrt(engineLimit)) {
      // Fast while the queue has stayed empty; one at a time for a while after it held requests: the engine
      // was full there, and an empty queue between two scrapes is a few requests finishing at once.
      double step = emptyIntervals >= CALM_INTERVALS ? Math.sqrt(engineLimit) : 1;
      engineLimit = Math.min(maxLimit, engineLimit + step);
    }
    emptyIntervals = waiting == 0 ? Math.min(CALM_INTERVALS, emptyIntervals + 1) : 0;
    previousPeak = windowPeak;
    windowPeak = 0;
  }

  /**
   * What a shrink leaves: the requests in flight less the queue's excess over the target, which is what the
   * engines run plus the target; at most {@value #MAX_CUT} of the demand is cut at once (several gateways
   * each see the whole queue).
   */
  private double shrunk(int demand, double excess) {
    return Math.max(demand - excess, demand * (1 - MAX_CUT));
  }
}
