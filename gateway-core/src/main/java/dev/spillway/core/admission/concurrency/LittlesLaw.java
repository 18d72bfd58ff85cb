package dev.spillway.core.admission.concurrency;

/**
 * Little's law for a backend with a FIFO queue of its own, from a first token's latency: a request admitted
 * with {@code inFlight} requests at the backend waited {@code latency - baseline} for the places ahead of it,
 * which free at the backend's departure rate once it is saturated; so {@code (latency - baseline) * rate}
 * requests were queued ahead of it, and the backend served the rest at once. Unlike the per-token form
 * ({@code inFlight * baseline / latency}), this holds when the first token is a small part of a slot's
 * holding time, as with streams.
 */
final class LittlesLaw {
  private LittlesLaw() {}

  /** Requests the backend served without queueing, at least 0: {@code inFlight - queued ahead}. */
  static long queueFree(int inFlight, long latencyNanos, long baselineNanos, double departuresPerSecond) {
    double queued = Math.max(0, latencyNanos - baselineNanos) / 1e9 * departuresPerSecond;
    return (long) Math.max(0, inFlight - queued);
  }

  /** Requests queued ahead of one that waited {@code excessNanos} beyond its baseline. */
  static double queued(long excessNanos, double departuresPerSecond) {
    return Math.max(0, excessNanos) / 1e9 * departuresPerSecond;
  }
}
