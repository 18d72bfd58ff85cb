package dev.spillway.core.admission.concurrency;

import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.time.Ticker;

/**
 * A backend's concurrency limit, moved by completed requests. Not thread-safe: {@link BackendAdmission}
 * calls it under its lock.
 */
interface ConcurrencyLimit {

  static ConcurrencyLimit of(ConcurrencyConfig config) {
    return config.mode() == ConcurrencyConfig.Mode.ADAPTIVE ? new GradientLimit(config) : new FixedLimit(config.limit());
  }

  /**
   * As {@link #of(ConcurrencyConfig)}, bounded by the engines' own queues ({@link EngineSignalLimit}) when the
   * config has an {@code engineSignal} and {@code engineLoad} is given.
   */
  static ConcurrencyLimit of(ConcurrencyConfig config, EngineLoad engineLoad, Ticker ticker) {
    ConcurrencyLimit latency = of(config);
    return config.engineSignal() == null || engineLoad == null ? latency
        : new EngineSignalLimit(latency, engineLoad, config, ticker);
  }

  /** The current limit, at least 1. */
  int limit();

  /**
   * A request finished with a response.
   *
   * @param inFlight requests in flight when this one was admitted (itself included)
   */
  void onSample(long ttfbNanos, long totalNanos, long outputTokens, int inFlight);

  /** A request timed out or the backend reported overload. */
  void onDropped();

  /**
   * {@link BackendAdmission#refreshLimit()} is about to read the limit: {@code inFlight} requests hold
   * permits and {@code queued} wait for one. Only limits fed by outside signals care.
   */
  default void onRefresh(int inFlight, int queued) {}
}
