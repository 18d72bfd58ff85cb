package dev.spillway.core.admission.concurrency;

import dev.spillway.core.time.Ticker;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one timer that serves a waiting room behind a closed {@link PrefillGate} when an awaiting permit's count
 * lapses (a whole answer's expected first token passes): on a quiet backend nothing else may happen then, and
 * the waiter would wait for the next request or answer to move. At most one timer is live: a new one is set
 * only for an earlier lapse, and a superseded one does nothing when it fires.
 *
 * <p>Holds no lock of its own: {@link #arm} runs under {@link BackendAdmission}'s lock, {@link #schedule} after
 * it is released, and a timer that fires takes that same lock to serve the room.
 */
final class GateTimer {
  private final ReentrantLock lock;
  private final Ticker ticker;
  private final PrefillGate gate;
  private final WaitingRoom room;
  private final RoomService service;
  private boolean pending;
  private long due;

  GateTimer(ReentrantLock lock, Ticker ticker, PrefillGate gate, WaitingRoom room, RoomService service) {
    this.lock = lock;
    this.ticker = ticker;
    this.gate = gate;
    this.room = room;
    this.service = service;
  }

  /**
   * Sets the timer for the gate's soonest lapse, unless a live one is due no later. Returns the delay to
   * {@link #schedule} it with (it is due {@code now} plus that), or -1 when nothing needs scheduling. Under
   * the lock.
   */
  long arm(long now) {
    long next = gate.nextLapseNanos(now);
    if (next <= 0 || (pending && now + next - due >= 0)) {
      return -1;
    }
    pending = true;
    due = now + next;
    return next;
  }

  /**
   * Schedules on {@code executor} the timer {@link #arm} set at {@code now} with {@code delayNanos}. After the
   * lock is released: nothing else may happen on a quiet backend at that moment, so the timer serves the room.
   */
  void schedule(EventExecutor executor, long now, long delayNanos) {
    long at = now + delayNanos;
    try {
      executor.schedule(() -> wake(executor, at), delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // The waiter's event loop is shutting down; its waiter is cancelled with it.
    }
  }

  /**
   * The timer set for {@code firedDue} fired: serves the room if a count lapsed, and sets the timer again for
   * the next lapse while waiters remain behind a closed gate. A timer superseded by an earlier one does
   * nothing.
   */
  private void wake(EventExecutor executor, long firedDue) {
    long now = ticker.nanoTime();
    QueuedWaiter answered = null;
    long again = -1;
    lock.lock();
    try {
      if (!pending || firedDue != due) {
        return;
      }
      pending = false;
      if (gate.lapse(now)) {
        answered = service.serve(now);
      }
      if (room.size() > 0 && gate.holds(now)) {
        again = arm(now);
      }
    } finally {
      lock.unlock();
    }
    RoomService.dispatchAll(answered);
    if (again > 0) {
      schedule(executor, now, again);
    }
  }
}
