package dev.spillway.core.admission.concurrency.sim;

import java.util.ArrayDeque;
import java.util.Random;

/**
 * A backend with {@code slots} parallel workers and its own FIFO queue (the fixed mock backend, or nginx in
 * front of one): past the queue it answers 503. Service times are uniform within 10% of {@code serviceNanos}
 * (seeded) by default; exactly equal times, as the benchmarks' fixed mock has, keep completions in lockstep
 * with whatever burst of starts sent them. The number of slots may change mid-run.
 */
final class FixedSlotsBackend implements SimBackend {
  private final long serviceNanos;
  private final int queueCapacity;
  private final ArrayDeque<SimRequest> queue = new ArrayDeque<>();
  private final Random random = new Random(42);
  private int slots;
  private int busy;
  /** Service times vary uniformly within this fraction either side of {@code serviceNanos}. */
  private final double jitter;

  FixedSlotsBackend(int slots, long serviceNanos, int queueCapacity) {
    this(slots, serviceNanos, queueCapacity, 0.1);
  }

  /**
   * @param jitter how far service times vary either side of {@code serviceNanos}, as a fraction: 0 for exact
   *     times (the benchmarks' fixed mock), whose completions repeat every burst of starts
   */
  FixedSlotsBackend(int slots, long serviceNanos, int queueCapacity, double jitter) {
    this.jitter = jitter;
    this.slots = slots;
    this.serviceNanos = serviceNanos;
    this.queueCapacity = queueCapacity;
  }

  void setSlots(int slots, long now, Simulation sim) {
    this.slots = slots;
    startWaiting(now, sim);
  }

  @Override
  public void submit(SimRequest r, long now, Simulation sim) {
    if (busy < slots) {
      start(r, now, sim);
    } else if (queue.size() < queueCapacity) {
      queue.addLast(r);
    } else {
      sim.rejected(r, now);
    }
  }

  @Override
  public boolean hasFreeSlot() {
    return busy < slots;
  }

  /** A share of the requests that take {@link #slowFactor} times as long by nature (a cache miss, say). */
  private double slowShare;
  private double slowFactor = 1;

  /** Makes {@code share} of the requests take {@code factor} times the service time, queue or not. */
  FixedSlotsBackend withSlowShare(double share, double factor) {
    this.slowShare = share;
    this.slowFactor = factor;
    return this;
  }

  private void start(SimRequest r, long now, Simulation sim) {
    busy++;
    double slow = slowShare > 0 && random.nextDouble() < slowShare ? slowFactor : 1;
    long service = (long) (slow * serviceNanos * (1 - jitter + 2 * jitter * random.nextDouble()));
    long done = now + service;
    if (r.stream) {
      long first = now + service / Math.max(1, r.outputTokens);
      sim.at(first, () -> sim.firstToken(r, first));
    }
    sim.at(done, () -> {
      busy--;
      // The freed slot goes to the backend's own queue first; only then does the gateway hear of it.
      startWaiting(done, sim);
      sim.finished(r, done);
    });
  }

  private void startWaiting(long now, Simulation sim) {
    while (busy < slots && !queue.isEmpty()) {
      start(queue.pollFirst(), now, sim);
    }
  }
}
