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
 *   waiting per engine &gt; targetWaiting:
 *       engineLimit = max(minLimit, min(engineLimit, demand or engineLimit if none seen) * {@value #DECREASE})
 *   waiting per engine &lt;= targetWaiting and demand &gt;= engineLimit - sqrt(engineLimit):
 *       engineLimit = min(maxLimit, engineLimit + sqrt(engineLimit))
 * </pre>
 * So the limit only grows while it is actually reached and the engines still keep their queues short, and a
 * shrink bites at once even when the engine limit stood far above the traffic. Without fresh engine metrics
 * (scrapes failing or stale) the engine limit neither moves nor applies: the latency limit alone decides.
 *
 * <p>Why a queue target rather than KV-cache use: an engine's waiting queue is where a request's time to first
 * token is lost, and a few waiting requests keep the batch full between scrapes; KV-cache use near 100% is
 * normal for a busy engine and says nothing about queueing.
 */
final class EngineSignalLimit implements ConcurrencyLimit {
  static final double DECREASE = 0.9;

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
  private Signal signal = Signal.STALE;

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
  }

  /** The engine limit alone, for tests and status. */
  double engineLimit() {
    return engineLimit;
  }

  Signal signal() {
    return signal;
  }

  private void adjust(double waiting) {
    int demand = Math.max(windowPeak, previousPeak);
    if (waiting > targetWaiting) {
      double used = demand == 0 ? engineLimit : Math.min(engineLimit, demand);
      engineLimit = Math.max(minLimit, used * DECREASE);
    } else if (demand > 0 && demand >= engineLimit - Math.sqrt(engineLimit)) {
      engineLimit = Math.min(maxLimit, engineLimit + Math.sqrt(engineLimit));
    }
    previousPeak = windowPeak;
    windowPeak = 0;
  }
}
