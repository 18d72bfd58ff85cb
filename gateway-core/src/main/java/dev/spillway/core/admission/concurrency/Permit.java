package dev.spillway.core.admission.concurrency;

/**
 * A slot of a backend's concurrency limit, held while a request is in flight. Exactly one completion takes
 * effect; later calls do nothing (so every path may complete it without checking).
 */
public interface Permit {

  /**
   * The backend answered: feed the adaptive limit.
   *
   * @param ttfbNanos from the request being sent to the response head
   * @param totalNanos from the request being sent to the response's end
   * @param outputTokens completion tokens (from {@code usage}, or counted), 0 if unknown
   */
  void onSuccess(long ttfbNanos, long totalNanos, long outputTokens);

  /** Finished without a meaningful latency sample (client cancel, 4xx, a gateway error of our own). */
  void onIgnore();

  /** The backend timed out or was overloaded (5xx, reset): a congestion signal that shrinks the limit. */
  void onDropped();
}
