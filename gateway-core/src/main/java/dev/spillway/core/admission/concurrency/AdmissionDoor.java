package dev.spillway.core.admission.concurrency;

import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.config.PriorityClass;

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
 * <p>A newcomer the limit would admit but the {@link PrefillGate} holds back is judged differently
 * ({@link #letsIn}): it waits for a prompt's prefill, not for a slot.
 *
 * <p>Holds no state of its own; reads state {@link BackendAdmission} owns, so every method runs under its lock.
 */
final class AdmissionDoor {
  /** A newcomer without a free slot may expect to wait at most this fraction of the first token. */
  static final int WAIT_BUDGET_DIVISOR = 8;
  /** {@link #gateServesSoon}: how many arrival gaps ahead the gate may open for a newcomer to wait for it. */
  static final int GATE_GAPS = 2;

  private final LimitInForce limit;
  private final ServiceTime serviceTime;
  private final WaitingRoom room;
  private final SlotShares slots;
  private final RoomTimeouts timeouts;
  private final PrefillGate gate;

  AdmissionDoor(LimitInForce limit, ServiceTime serviceTime, WaitingRoom room, SlotShares slots,
      RoomTimeouts timeouts, PrefillGate gate) {
    this.limit = limit;
    this.serviceTime = serviceTime;
    this.room = room;
    this.slots = slots;
    this.timeouts = timeouts;
    this.gate = gate;
  }

  /** Whether the prefill gate alone holds back a request of class {@code c}: the limit has a slot for it. */
  boolean gateAlone(PriorityClass c, long now) {
    return slots.canAdmit(c, limit.current()) && gate.holds(now);
  }

  /**
   * Whether a newcomer of class {@code c} that cannot be admitted now may come in to wait. One the prefill gate
   * alone holds back waits for a prompt's prefill, not for a slot: it is judged only under sustained overload
   * ({@link #gateServesSoon}); at lower loads it always waits, as it would have in the engine's own queue. One
   * the limit holds back is judged by {@link #roomServesSoon} once {@link #judgesAtDoor}.
   */
  boolean letsIn(PriorityClass c, long now) {
    if (gateAlone(c, now)) {
      return !timeouts.overloaded() || gateServesSoon(now);
    }
    return !judgesAtDoor(now) || roomServesSoon(now, limit.current());
  }

  /**
   * Whether a request of class {@code c} that cannot be admitted now should rather spill over to another tier:
   * the room would not serve it soon ({@link BackendAdmission#spillsOver}).
   */
  boolean spills(PriorityClass c, long now) {
    return gateAlone(c, now) ? timeouts.overloaded() && !gateServesSoon(now)
        : !roomServesSoon(now, limit.current());
  }

  /**
   * Under sustained overload, whether a newcomer the gate holds back should wait for it: fewer wait than may
   * await a first token at once (one successor per prefill lane), and the gate is expected to open within
   * {@value #GATE_GAPS} arrival gaps. Later than that, a fresher request is likely to come before it opens:
   * this one is shed at once rather than after a wait, and the one served waited less.
   */
  private boolean gateServesSoon(long now) {
    return room.size() < gate.width() && gate.opensInNanos(now) <= GATE_GAPS * gate.meanGapNanos();
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
