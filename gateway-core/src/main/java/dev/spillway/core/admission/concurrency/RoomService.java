package dev.spillway.core.admission.concurrency;

import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.config.PriorityClass;

/**
 * Hands freed slots to one backend's waiters: when a slot frees (or the limit grows), classes below their
 * guarantee are served first, then the highest class; within a class first attempts before retries and
 * tenants round-robin ({@link SlotShares#nextToServe}, {@link WaitingRoom#poll}). A waiter found expired when
 * its turn comes is shed rather than served.
 *
 * <p>Answers are decided under {@link BackendAdmission}'s lock and returned linked through
 * {@link QueuedWaiter#next}; {@link #dispatchAll} posts them after the lock is released, so no callback or
 * executor call ever runs under it.
 */
final class RoomService {
  private final BackendAdmission owner;
  private final LimitInForce limit;
  private final ServiceTime serviceTime;
  private final WaitingRoom room;
  private final SlotShares slots;
  private final RoomTimeouts timeouts;
  private final AdmissionDoor door;
  private final PrefillGate gate;

  RoomService(BackendAdmission owner, LimitInForce limit, ServiceTime serviceTime, WaitingRoom room,
      SlotShares slots, RoomTimeouts timeouts, AdmissionDoor door, PrefillGate gate) {
    this.owner = owner;
    this.limit = limit;
    this.serviceTime = serviceTime;
    this.room = room;
    this.slots = slots;
    this.timeouts = timeouts;
    this.door = door;
    this.gate = gate;
  }

  /**
   * Sheds stale waiters under overload, then serves waiters while the limit in force allows; returns them
   * linked in that order, to dispatch after unlocking. Under the lock.
   */
  QueuedWaiter serve(long now) {
    int currentLimit = limit.current();
    QueuedWaiter head = timeouts.shedStale(now, currentLimit);
    QueuedWaiter tail = head;
    while (tail != null && tail.next != null) {
      tail = tail.next;
    }
    PriorityClass c;
    while ((c = slots.nextToServe(room, currentLimit)) != null && gate.admits(now)) {
      // Without streams, CoDel's LIFO under overload serves the freshest waiter, who can still finish in time,
      // while the room keeps its full size (the limit still searching upward); past that it keeps only a few
      // places (RoomEntry), served in arrival order so none is passed over until the short wait sheds it.
      boolean newestFirst = timeouts.overloaded() && door.firstTokenNanos(now) == 0 && limit.searching();
      QueuedWaiter w = room.poll(c, newestFirst);
      timeouts.sampleDelay(w, now);
      if (now - w.timeoutAt >= 0) {
        w.shed(ShedReason.QUEUE_TIMEOUT, serviceTime.retryAfterNanos(currentLimit));
      } else {
        w.grant(owner.grant(c, w.request.requestBytes(), now));
      }
      if (head == null) {
        head = w;
      } else {
        tail.next = w;
      }
      tail = w;
    }
    return head;
  }

  /** Delivers answers decided under the lock, in order; call with the lock released. */
  static void dispatchAll(QueuedWaiter answered) {
    while (answered != null) {
      QueuedWaiter next = answered.next;
      answered.next = null;
      answered.dispatch();
      answered = next;
    }
  }
}
