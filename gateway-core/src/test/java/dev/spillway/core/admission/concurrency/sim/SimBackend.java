package dev.spillway.core.admission.concurrency.sim;

/** A test-only model of an LLM backend, driven by {@link Simulation}'s clock. */
interface SimBackend {

  /** A request reaches the backend at {@code now}; the backend completes or rejects it through {@code sim}. */
  void submit(SimRequest request, long now, Simulation sim);
}
