package dev.spillway.core.admission.concurrency;

/**
 * A slot of a backend's concurrency limit, held while a request is in flight. Exactly one completion takes
 * effect; later calls do nothing (so every path may complete it without checking).
 */
public interface Permit {

  /** The backend answered cleanly: {@code sample} feeds the adaptive limit ({@link LatencySample#NONE} if none). */
  void onSuccess(LatencySample sample);

  /** Finished without a meaningful latency sample (client cancel, 4xx, a gateway error of our own). */
  void onIgnore();

  /**
   * Evidence of backend overload (a 429/503/529 from the backend, or a timeout after the request was sent):
   * shrinks an adaptive limit, at most once per measurement window.
   */
  void onDropped();
}
