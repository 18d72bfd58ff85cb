package dev.spillway.core.admission.concurrency;

import dev.spillway.core.admission.ShedReason;

/**
 * The door of one backend's waiting room: whether a newcomer that finds no free slot may come in to wait.
 *
 * <p>It is let in only if it expects to be served within a small budget (an eighth of the backend's
 * first-token time, at most CoDel's short wait; see {@link #roomServesSoon}), else it is shed at the door with
 * {@link ShedReason#QUEUE_FULL} at once: a wait would likely end in a shed anyway, a shed answer costs the
 * client nothing (and it may overflow to another tier), and those admitted wait only briefly, so their first
 * token stays near the unloaded one. An adaptive limit judges every such newcomer so once it knows the
 * first-token time without queueing; a static limit (or a backend serving no streams) only under sustained
 * overload ({@link #judgesAtDoor}). The same budget decides whether a request spills over to another tier
 * ({@link BackendAdmission#spillsOver}).
 *
 * <p>Holds no state of its own; reads state {@link BackendAdmission} owns, so every method runs under its lock.
 */
final class AdmissionDoor {
  /** A newcomer without a free slot may expect to wait at most this fraction of the first token. */
  static final int WAIT_BUDGET_DIVISOR = 8;

  private final LimitInForce limit;
  private final ServiceTime serviceTime;
  private final WaitingRoom room;
  private final SlotShares slots;
  private final RoomTimeouts timeouts;

  AdmissionDoor(LimitInForce limit, ServiceTime serviceTime, WaitingRoom room, SlotShares slots,
      RoomTimeouts timeouts) {
    this.limit = limit;
    this.serviceTime = serviceTime;
    this.room = room;
    this.slots = slots;
    this.timeouts = timeouts;
  }

  /**
   * Whether a newcomer that finds no free slot is judged at the door ({@link #roomServesSoon}) rather than
   * let in to wait up to {@code maxWait}: once an adaptive limit knows the backend's first-token time without
   * queueing (its start is over and streams have been served), always; otherwise (a static limit, or only
   * non-streamed answers) only under sustained overload, and only once a stream's first token has been
   * measured. During an adaptive limit's start the limit is pinned low on purpose, so waits then say nothing
   * about the backend. Under the lock.
   */
  boolean judgesAtDoor(long now) {
    return limit.baselineNanos(LatencySample.Signal.FIRST_TOKEN) != 0
        || (timeouts.overloaded() && firstTokenNanos(now) > 0);
  }

  /**
   * Whether a newcomer would be served within {@link #waitBudgetNanos}: a place frees once per
   * {@code holdTime / limit} on average, and the newcomer needs {@code (queued + 1)} of those, plus one for
   * each request in flight beyond the limit (after a decrease). Otherwise it is turned away at once, not after
   * a wait it would likely spend in vain: a shed answer costs the client nothing, those admitted wait only
   * briefly, and a request let in to wait is nearly always served. A room whose service time is not yet known
   * is assumed to serve soon. Under the lock.
   */
  boolean roomServesSoon(long now, int currentLimit) {
    long interval = serviceTime.departureIntervalNanos(currentLimit);
    long ahead = room.size() + 1L + Math.max(0, slots.inFlight() - currentLimit);
    return interval == 0 || ahead * interval <= waitBudgetNanos(now);
  }

  /**
   * How long a newcomer may expect to wait: an eighth of the backend's time to first token without queueing
   * (the adaptive limit's baseline, else the measured one), and no more than CoDel's short wait. A place frees
   * at random moments, so the wait's p99 is several times its mean; an eighth keeps an admitted stream's first
   * token near the unloaded one. Under the lock.
   */
  private long waitBudgetNanos(long now) {
    return Math.min(timeouts.overloadedWaitNanos(), firstTokenNanos(now) / WAIT_BUDGET_DIVISOR);
  }

  /**
   * The backend's time to first token without queueing (the adaptive limit's baseline, else the measured
   * one); 0 while no stream has been served. Without streams the room keeps CoDel's LIFO under overload
   * instead of shedding at the door: a non-streamed answer's first byte comes only as its slot is released, so
   * a short wait in the room adds little to it. Under the lock.
   */
  long firstTokenNanos(long now) {
    long firstToken = limit.baselineNanos(LatencySample.Signal.FIRST_TOKEN);
    return firstToken != 0 ? firstToken : serviceTime.expectedFirstTokenNanos(now);
  }
}
