package dev.spillway.server.mock;

import java.time.Duration;
import java.util.SplittableRandom;

/**
 * Each request's latency on the fixed engine: {@code latency} itself, or with a jitter {@code f} above 0 a draw
 * uniform in {@code [latency × (1 - f), latency × (1 + f))}, independent per request, so the backend's answers
 * vary in time by themselves, as a real model's do.
 *
 * <p>Shared by all event loops of a {@link MockBackend}. The draws come from one generator seeded with
 * {@code seed}, taken under a lock held for one draw; with one event loop a seed repeats the same latencies in
 * the order the requests get their slots.
 */
final class JitteredLatency {
  private final long latencyNanos;
  private final double jitter;
  private final SplittableRandom random;

  JitteredLatency(Duration latency, double jitter, long seed) {
    this.latencyNanos = latency.toNanos();
    this.jitter = jitter;
    this.random = new SplittableRandom(seed);
  }

  /** The latency of the next request, in nanoseconds. */
  long nextNanos() {
    if (jitter == 0) {
      return latencyNanos;
    }
    double u;
    synchronized (random) {
      u = random.nextDouble();
    }
    return Math.round(latencyNanos * (1 + jitter * (2 * u - 1)));
  }
}
