package dev.spillway.core.admission.concurrency;

import dev.spillway.core.admission.ShedReason;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * A request in the waiting room, and the hand-over of its answer to its executor.
 *
 * <p>States: {@code QUEUED} (in the room; only changed under {@link BackendAdmission}'s lock), then
 * {@code GRANTED} or {@code SHED} (answer decided, delivery posted to the executor), then {@code DELIVERED};
 * {@link #cancel()} moves any undelivered state to {@code CANCELLED}. The delivery and cancel race on one
 * CAS, so the callback runs at most once and never after a cancel made on the executor's thread; a permit
 * whose delivery lost to a cancel is released by the canceller.
 */
final class QueuedWaiter implements Waiter, Runnable {
  private static final int QUEUED = 0;
  private static final int GRANTED = 1;
  private static final int SHED = 2;
  private static final int DELIVERED = 3;
  private static final int CANCELLED = 4;
  private static final AtomicIntegerFieldUpdater<QueuedWaiter> STATE =
      AtomicIntegerFieldUpdater.newUpdater(QueuedWaiter.class, "state");

  final WaitRequest request;
  final long enqueuedAt;
  final long timeoutAt;
  /** Links answers decided under the lock, to deliver them after it is released. */
  QueuedWaiter next;
  /** The room's arrival order, under the lock: the waiter that arrived just before / after this one. */
  QueuedWaiter older;
  QueuedWaiter newer;

  private final RoomExits exits;
  private final EventExecutor executor;
  private final PermitCallback callback;
  private volatile int state;
  private volatile ScheduledFuture<?> timer;
  private Permit permit;
  private ShedReason reason;
  private long retryAfterNanos;

  QueuedWaiter(RoomExits exits, WaitRequest request, EventExecutor executor, PermitCallback callback,
      long enqueuedAt, long timeoutAt) {
    this.exits = exits;
    this.request = request;
    this.executor = executor;
    this.callback = callback;
    this.enqueuedAt = enqueuedAt;
    this.timeoutAt = timeoutAt;
  }

  boolean isQueued() {
    return state == QUEUED;
  }

  /** Under the lock, once taken out of the room. */
  void grant(Permit permit) {
    this.permit = permit;
    state = GRANTED;
  }

  /** Under the lock, once taken out of the room (or never let in). */
  void shed(ShedReason reason, long retryAfterNanos) {
    this.reason = reason;
    this.retryAfterNanos = retryAfterNanos;
    state = SHED;
  }

  /** Under the lock, once taken out of the room by {@link #cancel()}. */
  void markCancelled() {
    state = CANCELLED;
  }

  /** Arms the queue timeout on the executor; if the waiter already left the room, the timer is dropped again. */
  void startTimer(long delayNanos) {
    try {
      timer = executor.schedule(this::onTimer, delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      cancel();
      return;
    }
    if (state != QUEUED) {
      stopTimer();
    }
  }

  private void onTimer() {
    long remaining = exits.expire(this);
    if (remaining > 0) {
      startTimer(remaining);
    } else if (remaining == 0) {
      run();
    }
  }

  /** After the lock is released: hands the decided answer to the executor. */
  void dispatch() {
    stopTimer();
    try {
      executor.execute(this);
    } catch (RejectedExecutionException e) {
      // The client's event loop is gone, and the client with it: give the slot back.
      cancel();
    }
  }

  /** Delivers the answer on the executor, unless cancelled first. */
  @Override
  public void run() {
    if (STATE.compareAndSet(this, GRANTED, DELIVERED)) {
      Callbacks.permit(callback, permit);
    } else if (STATE.compareAndSet(this, SHED, DELIVERED)) {
      Callbacks.shed(callback, reason, retryAfterNanos);
    }
  }

  @Override
  public void cancel() {
    if (exits.removeQueued(this)) {
      stopTimer();
    } else if (STATE.compareAndSet(this, GRANTED, CANCELLED)) {
      permit.onIgnore();
    } else {
      STATE.compareAndSet(this, SHED, CANCELLED);
    }
  }

  private void stopTimer() {
    ScheduledFuture<?> t = timer;
    if (t != null) {
      t.cancel(false);
    }
  }
}
