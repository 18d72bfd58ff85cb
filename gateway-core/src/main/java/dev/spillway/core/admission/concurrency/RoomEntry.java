package dev.spillway.core.admission.concurrency;

import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.config.PriorityClass;
import io.netty.util.concurrent.EventExecutor;

/**
 * What becomes of a request that finds no free slot ({@link BackendAdmission#acquire}): it is shed at once
 * with {@link ShedReason#DEADLINE_UNREACHABLE} (its client's deadline is nearer than the expected time to
 * first token) or {@link ShedReason#QUEUE_FULL} (the {@link AdmissionDoor} turns it away, or the full room
 * ranks it last), or it takes a place in the {@link WaitingRoom}, pushing out a lower-ranked waiter if the
 * room is full (under overload without streams the room is full once it holds as many as the backend frees at
 * once, {@link #overloadPlaces}, and serves in arrival order).
 *
 * <p>{@link #decide} runs under {@link BackendAdmission}'s lock and returns a {@link Decision}; {@link #deliver}
 * carries it out after the lock is released, since it runs callbacks and schedules timers. Holds no lock of
 * its own.
 */
final class RoomEntry {
  /** Shared, so that shedding a newcomer costs no allocation when it leaves nobody else to answer. */
  private static final Decision UNREACHABLE = new Decision(null, ShedReason.DEADLINE_UNREACHABLE, null, null, -1);
  private static final Decision FULL = new Decision(null, ShedReason.QUEUE_FULL, null, null, -1);

  /** {@link #overloadPlaces}: the fewest waiters kept under overload without streams. */
  static final int MIN_OVERLOAD_PLACES = 4;
  /**
   * {@link #overloadPlaces}: no more waiters than places free, on average, in this fraction of CoDel's short
   * wait: those served last wait several departures, whose times vary.
   */
  static final int SHORT_WAIT_MARGIN = 2;

  private final RoomExits exits;
  private final LimitInForce limit;
  private final ServiceTime serviceTime;
  private final WaitingRoom room;
  private final RoomTimeouts timeouts;
  private final AdmissionDoor door;
  private final GateTimer gateTimer;

  RoomEntry(RoomExits exits, LimitInForce limit, ServiceTime serviceTime, WaitingRoom room, RoomTimeouts timeouts,
      AdmissionDoor door, GateTimer gateTimer) {
    this.exits = exits;
    this.limit = limit;
    this.serviceTime = serviceTime;
    this.room = room;
    this.timeouts = timeouts;
    this.door = door;
    this.gateTimer = gateTimer;
  }

  /** Decides the request's fate and updates the room to match; answers nobody yet. Under the lock. */
  Decision decide(WaitRequest request, EventExecutor executor, PermitCallback callback, long now) {
    long waitUntil = timeouts.waitUntil(request, now, limit.current());
    if (waitUntil - now <= 0) {
      return UNREACHABLE;
    }
    PriorityClass c = request.priority();
    QueuedWaiter stale = timeouts.shedStale(now, limit.current());
    boolean streams = door.firstTokenNanos(now) > 0;
    if (!door.letsIn(c, now)) {
      if (timeouts.overloaded()) {
        timeouts.onTurnedAway(now);
      }
      return full(stale);
    }
    QueuedWaiter waiter = new QueuedWaiter(exits, request, executor, callback, now, waitUntil);
    boolean overloadedWithoutStreams = timeouts.overloaded() && !streams;
    int places = overloadedWithoutStreams ? overloadPlaces() : Integer.MAX_VALUE;
    // The room serves its newest first (RoomService) only while it keeps its full size.
    QueuedWaiter out = room.offer(waiter, overloadedWithoutStreams && places == Integer.MAX_VALUE, places);
    if (out == waiter) {
      if (overloadedWithoutStreams) {
        // As at the door: the overload goes on though the few places it keeps may empty now and then.
        timeouts.onTurnedAway(now);
      }
      return full(stale);
    }
    // Armed only for a waiter that stays: armed for one the room refused, the timer was never scheduled, yet
    // it counted as live and kept any later one from being set.
    long gateDelay = door.gateAlone(c, now) ? gateTimer.arm(now) : -1;
    if (out != null) {
      out.shed(ShedReason.DISPLACED, retryAfterNanos());
    }
    return new Decision(stale, null, waiter, out, gateDelay);
  }

  /**
   * Carries out {@code decision} once the lock is released: answers the waiters it shed, then the request
   * itself if it was shed, else starts its timers.
   *
   * @return {@link Waiter#NOOP} when the request was shed, else its waiter
   */
  Waiter deliver(Decision decision, EventExecutor executor, PermitCallback callback, long now) {
    RoomService.dispatchAll(decision.stale());
    if (decision.shed() != null) {
      Callbacks.shedNow(executor, callback, decision.shed(), retryAfterNanos());
      return Waiter.NOOP;
    }
    if (decision.displaced() != null) {
      decision.displaced().dispatch();
    }
    QueuedWaiter waiter = decision.waiter();
    waiter.startTimer(waiter.timeoutAt - now);
    if (decision.gateDelay() > 0) {
      gateTimer.schedule(executor, now, decision.gateDelay());
    }
    return waiter;
  }

  /**
   * Under overload without streams, how many may wait: as many as the backend frees at once
   * ({@link ServiceTime#releaseBurst}), but no more than free on average in half of CoDel's short wait, and at
   * least {@value #MIN_OVERLOAD_PLACES} (with none kept on a slow backend, the LLM simulator as the primary of
   * two tiers at 5× held its limit at 9–14 of a batch of 40 in three runs, against 24–31 with four). In a room
   * of hundreds a waiter far back was almost never served before its client gave up, and it waited out the short
   * wait (100 ms) to be shed; refused at the door instead, it is answered at once. Capped by the burst alone,
   * the room on a host whose releases come in clumps held more than the short wait serves, and its last
   * waiters were shed by it. Those few are served in arrival order: the newest first, a heavy tenant's oldest
   * waiter was passed over by its fresher ones until the short wait shed it. The whole room (served newest
   * first, CoDel's adaptive LIFO) while the limit is still searching upward: each of slow start's
   * steps is filled at once from the backlog, and the answers queued at the backend from that burst are what
   * tell it where the backend's places end (with a room of four the step filled through arrivals, and on
   * exact 500 ms answers the limit grew to 81 of 64 places).
   */
  private int overloadPlaces() {
    if (limit.searching()) {
      return Integer.MAX_VALUE;
    }
    int places = serviceTime.releaseBurst();
    long interval = serviceTime.departureIntervalNanos(limit.current());
    if (interval > 0) {
      places = (int) Math.min(places, timeouts.overloadedWaitNanos() / (SHORT_WAIT_MARGIN * interval));
    }
    return Math.max(MIN_OVERLOAD_PLACES, places);
  }

  private static Decision full(QueuedWaiter stale) {
    return stale == null ? FULL : new Decision(stale, ShedReason.QUEUE_FULL, null, null, -1);
  }

  /** The Retry-After to give a request shed now (reads the limit in force). */
  private long retryAfterNanos() {
    return serviceTime.retryAfterNanos(limit.current());
  }

  /**
   * What {@link #decide} settled, for {@link #deliver}.
   *
   * @param stale waiters shed as stale meanwhile, linked through {@link QueuedWaiter#next}, or {@code null}
   * @param shed why the request itself is shed, or {@code null} when it waits
   * @param waiter the request's place in the room, when it waits
   * @param displaced the waiter it pushed out of a full room, or {@code null}
   * @param gateDelay the delay to schedule the {@link GateTimer} with, or -1 for none
   */
  record Decision(QueuedWaiter stale, ShedReason shed, QueuedWaiter waiter, QueuedWaiter displaced,
                  long gateDelay) {}
}
