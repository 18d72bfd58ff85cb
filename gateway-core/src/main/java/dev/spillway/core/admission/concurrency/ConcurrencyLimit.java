package dev.spillway.core.admission.concurrency;

import dev.spillway.core.admission.concurrency.LatencySample.Signal;
import dev.spillway.core.config.ConcurrencyConfig;

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
}
