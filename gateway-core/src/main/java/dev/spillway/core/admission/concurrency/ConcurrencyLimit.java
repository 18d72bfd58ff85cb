package dev.spillway.core.admission.concurrency;

import dev.spillway.core.config.ConcurrencyConfig;

/**
 * A backend's concurrency limit, moved by completed requests. Not thread-safe: {@link BackendAdmission}
 * calls it under its lock.
 */
interface ConcurrencyLimit {

  static ConcurrencyLimit of(ConcurrencyConfig config) {
    return config.mode() == ConcurrencyConfig.Mode.ADAPTIVE ? new GradientLimit(config) : new FixedLimit(config.limit());
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
}
