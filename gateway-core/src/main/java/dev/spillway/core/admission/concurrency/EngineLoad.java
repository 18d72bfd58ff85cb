package dev.spillway.core.admission.concurrency;

/**
 * What the inference engines behind a backend report about their own queues, for {@link EngineSignalLimit}.
 * Implemented by the metrics scraper's per-backend state; read under {@link BackendAdmission}'s lock, so it
 * must be cheap and never block.
 */
public interface EngineLoad {
  /**
   * Mean requests waiting in an engine's queue, over the endpoints whose metrics are fresh at {@code nowNanos},
   * or {@code NaN} when none is.
   */
  double waitingPerEngine(long nowNanos);
}
