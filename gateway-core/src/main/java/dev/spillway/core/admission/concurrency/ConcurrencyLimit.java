package dev.spillway.core.admission.concurrency;

import dev.spillway.core.admission.concurrency.LatencySample.Signal;
import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.time.Ticker;

/**
 * A backend's concurrency limit, moved by completed requests. Not thread-safe: {@link BackendAdmission}
 * calls it under its lock.
 *
 * <p>Measurements are grouped in windows: each permit remembers the window it was admitted in, and a
 * completion from an earlier window (admitted under a different limit) does not move the limit.
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

  /** The current measurement window; a permit admitted now carries it. */
  long window();

  /**
   * A request finished with a clean response.
   *
   * @param inFlight requests in flight when this one was admitted (itself included)
   * @param window the window it was admitted in
   * @param now the admission's ticker time
   */
  void onSample(LatencySample sample, int inFlight, long window, long now);

  /** Backend overload evidence for a request admitted in {@code window}. */
  void onDropped(long window, long now);

  /** The uncongested latency the limit compares with, per signal; 0 when not (yet) known or static. */
  long baselineNanos(Signal signal);

  /** A permit was released at {@code now}, whatever its outcome: a slot freed. */
  default void onRelease(long now) {}

  /**
   * A request's answer began ({@link Permit#onFirstToken}) or, {@code started} false, one whose answer had begun
   * was released: the backend is running every request between the two at once.
   */
  default void onAnswering(boolean started) {}

  /**
   * Something else holds the requests back ({@link PrefillGate}): no more than {@code peakInFlight} were in
   * flight lately. An adaptive limit far above that says nothing and comes down to just above it, so that
   * what it sees is again the latency at its limit. Static limits ignore it.
   */
  default void onUnused(int peakInFlight, long now) {}

  /**
   * Whether the limit is still searching upward from its start (an adaptive limit's start and slow start):
   * it then learns where the backend's places end from a backlog that fills each step at once.
   */
  default boolean searching() {
    return false;
  }

  /** A request is about to be judged at {@code now}: for limits that move with time alone. */
  default void onTick(long now) {}

  /**
   * {@link BackendAdmission#refreshLimit()} is about to read the limit: {@code inFlight} requests hold
   * permits and {@code queued} wait for one. Only limits fed by outside signals care.
   */
  default void onRefresh(int inFlight, int queued) {}
}
