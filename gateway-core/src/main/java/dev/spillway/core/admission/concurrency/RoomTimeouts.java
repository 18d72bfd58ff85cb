package dev.spillway.core.admission.concurrency;

import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.config.WaitingRoomConfig;

/**
 * How long a waiter may stay in one backend's {@link WaitingRoom}, and CoDel's view of whether the room is in
 * sustained overload ({@link CodelMonitor}).
 *
 * <p>A waiter leaves with {@link ShedReason#QUEUE_TIMEOUT} at the sooner of {@code now + maxWait} and
 * {@code client deadline - expected time to first token} (after that it cannot finish in time). Under sustained
 * overload (queueing delay above target for a whole interval) every waiter gets CoDel's short timeout of twice
 * the target instead of maxWait, those already waiting too ({@link #shedStale}).
 *
 * <p>Not thread-safe: every method runs under {@link BackendAdmission}'s lock, which owns this object.
 */
final class RoomTimeouts {
  private final WaitingRoom room;
  private final ServiceTime serviceTime;
  private CodelMonitor codel;
  private long maxWaitNanos;
  /** The waiting room's settings in force, to tell whether a reload changed CoDel's. */
  private WaitingRoomConfig config;

  RoomTimeouts(WaitingRoom room, ServiceTime serviceTime, WaitingRoomConfig config) {
    this.room = room;
    this.serviceTime = serviceTime;
    this.codel = new CodelMonitor(config.codelTarget().toNanos(), config.codelInterval().toNanos());
    this.maxWaitNanos = config.maxWait().toNanos();
    this.config = config;
  }

  /** Whether CoDel sees sustained overload. Under the lock. */
  boolean overloaded() {
    return codel.overloaded();
  }

  /** Raises CoDel's target and interval for the prefill gate ({@link CodelMonitor#floor}). Under the lock. */
  void floorCodel(long targetNanos, long intervalNanos, boolean saturable) {
    codel.floor(targetNanos, intervalNanos, saturable);
  }

  /** CoDel's short wait, used under overload instead of maxWait. Under the lock. */
  long overloadedWaitNanos() {
    return codel.overloadedWaitNanos();
  }

  /**
   * A newcomer was turned away (at the door, or spilled to another tier): evidence that an overload goes on,
   * although the room sees no newcomers then. Under the lock.
   */
  void onTurnedAway(long now) {
    codel.onTurnedAway(now);
  }

  /**
   * When a request that has to queue gives up: {@code now + maxWait} (CoDel's short wait under overload), or
   * sooner when the client's deadline minus the expected time to first token comes first. Only requests that
   * must wait are judged by their deadline: one that finds a free slot goes straight through. Under the lock.
   */
  long waitUntil(WaitRequest request, long now, int currentLimit) {
    if (room.size() == 0) {
      codel.onEmptyRoom(now, serviceTime.departureIntervalNanos(currentLimit));
    }
    long until = now + (codel.overloaded() ? codel.overloadedWaitNanos() : maxWaitNanos);
    if (request.hasDeadline()) {
      long finishBy = request.deadlineNanos() - serviceTime.expectedFirstTokenNanos(now);
      if (finishBy - until < 0) {
        return finishBy;
      }
    }
    return until;
  }

  /**
   * Under overload every waiter gets CoDel's short wait, those that came in before it began too: sheds,
   * oldest first, each that has waited longer. Returns them linked, to dispatch after unlocking. Under the
   * lock.
   */
  QueuedWaiter shedStale(long now, int currentLimit) {
    if (!codel.overloaded()) {
      return null;
    }
    QueuedWaiter head = null;
    long maxAge = codel.overloadedWaitNanos();
    while (room.size() > 0 && now - room.oldestEnqueuedAt() >= maxAge) {
      QueuedWaiter w = room.pollOldest();
      w.shed(ShedReason.QUEUE_TIMEOUT, serviceTime.retryAfterNanos(currentLimit));
      w.next = head;
      head = w;
    }
    return head;
  }

  /** CoDel's delay sample as {@code left} leaves the room: see {@link CodelMonitor}. Under the lock. */
  void sampleDelay(QueuedWaiter left, long now) {
    codel.onSojourn(now - (room.size() == 0 ? left.enqueuedAt : room.oldestEnqueuedAt()), now);
  }

  /**
   * Takes a reloaded room's timeouts; CoDel's state restarts only when its target or interval changed, so a
   * reload that leaves them alone does not forget an overload in progress. Under the lock.
   */
  void reconfigure(WaitingRoomConfig next) {
    if (!next.codelTarget().equals(config.codelTarget())
        || !next.codelInterval().equals(config.codelInterval())) {
      codel = new CodelMonitor(next.codelTarget().toNanos(), next.codelInterval().toNanos());
    }
    maxWaitNanos = next.maxWait().toNanos();
    config = next;
  }
}
