package dev.spillway.server.mock;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The simulated GPU: at most {@code capacity} tickets hold a slot, and at most {@code maxQueue} more wait for
 * one in FIFO order. Shared by all event loops of a {@link MockBackend}, so it is lock-free: an atomic slot
 * counter plus a concurrent queue.
 *
 * <p>Every ticket that was admitted (granted or queued) must be {@link Ticket#close() closed} exactly once
 * when its request ends, however it ends; closing is idempotent and frees the slot or leaves the queue.
 */
final class CapacityGate {
  /** What {@link #enter} did with a ticket. */
  enum Admission { GRANTED, QUEUED, REJECTED }

  private final int capacity;
  private final int maxQueue;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger queued = new AtomicInteger();
  private final ConcurrentLinkedQueue<Ticket> waiting = new ConcurrentLinkedQueue<>();

  CapacityGate(int capacity, int maxQueue) {
    this.capacity = capacity;
    this.maxQueue = maxQueue;
  }

  /**
   * Admits {@code ticket}. {@code GRANTED} means it holds a slot now and its callback will not run;
   * {@code QUEUED} means its callback runs on its executor once a slot frees up.
   */
  Admission enter(Ticket ticket) {
    // Only take the fast path when nobody waits, or a newcomer would overtake the queue.
    if (queued.get() == 0 && tryReserve()) {
      ticket.state.set(Ticket.GRANTED);
      return Admission.GRANTED;
    }
    if (queued.incrementAndGet() > maxQueue) {
      queued.decrementAndGet();
      ticket.state.set(Ticket.CLOSED);
      return Admission.REJECTED;
    }
    waiting.offer(ticket);
    // A slot freed between the fast path and the offer would otherwise go unnoticed.
    drain();
    return Admission.QUEUED;
  }

  int inFlight() {
    return inFlight.get();
  }

  int queued() {
    return queued.get();
  }

  private boolean tryReserve() {
    for (;;) {
      int n = inFlight.get();
      if (n >= capacity) {
        return false;
      }
      if (inFlight.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  private void releaseSlot() {
    inFlight.decrementAndGet();
    drain();
  }

  /** Hands free slots to waiting tickets, skipping tickets closed while they waited. */
  private void drain() {
    while (!waiting.isEmpty() && tryReserve()) {
      Ticket next = waiting.poll();
      if (next == null) {
        // Someone else emptied the queue; give the slot back and look again, since an offer may have raced.
        inFlight.decrementAndGet();
        continue;
      }
      queued.decrementAndGet();
      if (!next.grant()) {
        inFlight.decrementAndGet();
      }
    }
  }

  /** One request's claim on the gate. */
  static final class Ticket {
    private static final int WAITING = 0;
    private static final int GRANTED = 1;
    private static final int CLOSED = 2;

    private final CapacityGate gate;
    private final Executor executor;
    private final Runnable onGranted;
    private final AtomicInteger state = new AtomicInteger(WAITING);

    /** {@code onGranted} runs on {@code executor} if the ticket is queued and later gets a slot. */
    Ticket(CapacityGate gate, Executor executor, Runnable onGranted) {
      this.gate = gate;
      this.executor = executor;
      this.onGranted = onGranted;
    }

    /** True while this ticket holds a slot. */
    boolean isGranted() {
      return state.get() == GRANTED;
    }

    private boolean grant() {
      if (!state.compareAndSet(WAITING, GRANTED)) {
        return false;
      }
      executor.execute(onGranted);
      return true;
    }

    /** Frees the slot or leaves the queue; later calls do nothing. */
    void close() {
      for (;;) {
        int s = state.get();
        if (s == CLOSED) {
          return;
        }
        if (!state.compareAndSet(s, CLOSED)) {
          continue;
        }
        if (s == GRANTED) {
          gate.releaseSlot();
        } else if (gate.waiting.remove(this)) {
          // If remove() lost to drain()'s poll(), drain() counted the queue down and will see grant() fail.
          gate.queued.decrementAndGet();
        }
        return;
      }
    }
  }
}
