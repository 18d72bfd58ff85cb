package dev.spillway.core.admission.concurrency;

import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.admission.concurrency.AdmissionPermit.Completion;
import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.PriorityClass;
import dev.spillway.core.config.WaitingRoomConfig;
import dev.spillway.core.time.Ticker;
import io.netty.util.concurrent.EventExecutor;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One backend's concurrency limit and the waiting room in front of it, shared by all event loops.
 *
 * <p><b>Limit</b> ({@link LimitInForce}): static, or adaptive to the backend's latency signals
 * ({@link GradientLimit}), fed by each {@link Permit}'s completion ({@link LatencySample}), with an operator's
 * override on top. Slots are shared by priority class ({@link SlotShares}): a class may always use
 * {@code floor(share * limit)} slots, and borrows whatever else is idle (concurrency-limits'
 * {@code AbstractPartitionedLimiter} semantics): a request is admitted while {@code inFlight < limit}, or while
 * its class holds fewer slots than its guarantee, even if other classes' borrowing has filled the limit. So
 * {@link #inFlight()} may exceed {@link #limit()} by at most the classes' unused guarantees (and when an
 * adaptive limit shrinks below what is already in flight).
 *
 * <p><b>Waiting.</b> Otherwise the request waits in a bounded {@link WaitingRoom}, or is shed at once with
 * {@link ShedReason#QUEUE_FULL}, {@link ShedReason#DISPLACED} (for the lower-ranked waiter it pushed out) or
 * {@link ShedReason#DEADLINE_UNREACHABLE} (it would have to wait, and its client's deadline is nearer than the
 * expected time to first token, see {@link ServiceTime}; a request that finds a free slot is never judged
 * so). Freed slots go to waiters in the order {@link RoomService} describes.
 *
 * <p><b>The door</b> ({@link AdmissionDoor}): a newcomer without a free slot is let in to wait only if it
 * expects to be served within a small budget, else it is shed at the door with {@link ShedReason#QUEUE_FULL}.
 * The same budget decides {@link #spillsOver}.
 *
 * <p><b>Timeouts</b> ({@link RoomTimeouts}): a waiter leaves with {@link ShedReason#QUEUE_TIMEOUT} at the
 * sooner of {@code now + maxWait} and its deadline minus the expected time to first token; under sustained
 * overload ({@link CodelMonitor}) every waiter gets CoDel's short wait instead. The timeout is scheduled on the
 * waiter's own executor (with {@code EmbeddedEventLoop}, tests move it with {@code advanceTimeBy}); when it
 * fires it is checked against the {@link Ticker}, and rescheduled if the ticker says it is early, so the two
 * clocks need not agree.
 *
 * <p><b>Threads.</b> Queue operations run under one lock, owned here and held for a few field updates; the
 * helpers above hold no lock of their own and are called only under it. Callbacks and executor calls run
 * after it is released. A request admitted on the spot gets its callback inline when
 * {@code acquire} is called on its executor, with no allocation beyond the permit; answers decided later are
 * posted to the waiter's executor.
 */
public final class BackendAdmission {
  private final ReentrantLock lock = new ReentrantLock();
  private final Ticker ticker;
  /** The limit in force; its inner limit is replaced only by {@link #reconfigure}. */
  private final LimitInForce limit;
  private final WaitingRoom room;
  private final SlotShares slots;
  private final ServiceTime serviceTime;
  private final RoomTimeouts timeouts;
  private final AdmissionDoor door;
  private final RoomService service;
  private final PrefillGate gate;
  private final GateTimer gateTimer = new GateTimer();
  /** Whether permits are to be told their request's kind ({@link #wantsRequestKind}); follows reloads. */
  private volatile boolean wantsKind;

  public BackendAdmission(ConcurrencyConfig concurrency, WaitingRoomConfig room, Ticker ticker) {
    this(concurrency, room, ticker, null);
  }

  /**
   * As above; with {@code engineLoad} and the config's {@code engineSignal}, the limit is also bounded by the
   * engines' waiting queues (call {@link #refreshLimit()} when they change).
   */
  public BackendAdmission(ConcurrencyConfig concurrency, WaitingRoomConfig room, Ticker ticker,
      EngineLoad engineLoad) {
    Objects.requireNonNull(concurrency, "concurrency");
    Objects.requireNonNull(room, "room");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.room = new WaitingRoom(room.maxQueue());
    this.slots = new SlotShares(room.shares());
    this.serviceTime = new ServiceTime(room.codelTarget().toNanos());
    this.limit = new LimitInForce(concurrency, engineLoad, serviceTime, ticker);
    this.gate = new PrefillGate(gates(concurrency));
    this.wantsKind = gates(concurrency);
    this.timeouts = new RoomTimeouts(this.room, serviceTime, room);
    this.door = new AdmissionDoor(limit, serviceTime, this.room, slots, timeouts, gate);
    this.service = new RoomService(this, limit, serviceTime, this.room, slots, timeouts, door, gate);
  }

  private static boolean gates(ConcurrencyConfig concurrency) {
    return concurrency.mode() == ConcurrencyConfig.Mode.ADAPTIVE && concurrency.prefillGate();
  }

  /**
   * Whether this backend's permits use their request's kind ({@link Permit#onRequestKind}): only its prefill
   * gate does. Reading a body for it costs a pass of JSON tokenizing per request, so nobody else should.
   */
  public boolean wantsRequestKind() {
    return wantsKind;
  }

  /**
   * Grants a permit now, queues the request, or sheds it. {@code callback} runs exactly once on
   * {@code executor} (inline if called there and answered at once), unless the returned waiter is cancelled
   * first.
   *
   * @return {@link Waiter#NOOP} when answered at once, else the queued request's handle
   */
  public Waiter acquire(WaitRequest request, EventExecutor executor, PermitCallback callback) {
    long now = ticker.nanoTime();
    PriorityClass c = request.priority();
    QueuedWaiter waiter = null;
    QueuedWaiter out = null;
    AdmissionPermit permit = null;
    boolean unreachable = false;
    boolean full = false;
    QueuedWaiter stale = null;
    QueuedWaiter grown;
    long gateDelay = -1;
    long gateDue = 0;
    lock.lock();
    try {
      gate.onArrival(request.requestBytes(), now);
      grown = tickLocked(now);
      if (admits(c, now)) {
        permit = grantLocked(c, request.requestBytes(), now);
      } else {
        long waitUntil = timeouts.waitUntil(request, now);
        if (waitUntil - now <= 0) {
          unreachable = true;
        } else {
          stale = timeouts.shedStale(now, limit.current());
          boolean streams = door.firstTokenNanos(now) > 0;
          if (!door.letsIn(c, now)) {
            if (timeouts.overloaded()) {
              timeouts.onTurnedAway(now);
            }
            full = true;
          } else {
            waiter = new QueuedWaiter(this, request, executor, callback, now, waitUntil);
            gateDelay = door.gateAlone(c, now) ? gateTimer.arm(gate, now) : -1;
            gateDue = gateTimer.due();
            out = room.offer(waiter, timeouts.overloaded() && !streams);
            if (out != null && out != waiter) {
              out.shed(ShedReason.DISPLACED, retryAfterNanos());
            }
          }
        }
      }
    } finally {
      lock.unlock();
    }
    dispatchAll(grown);
    dispatchAll(stale);
    if (unreachable) {
      Callbacks.shedNow(executor, callback, ShedReason.DEADLINE_UNREACHABLE, retryAfterNanos());
      return Waiter.NOOP;
    }
    if (full) {
      Callbacks.shedNow(executor, callback, ShedReason.QUEUE_FULL, retryAfterNanos());
      return Waiter.NOOP;
    }
    if (waiter == null) {
      Callbacks.permitNow(executor, callback, permit);
      return Waiter.NOOP;
    }
    if (out == waiter) {
      Callbacks.shedNow(executor, callback, ShedReason.QUEUE_FULL, retryAfterNanos());
      return Waiter.NOOP;
    }
    if (out != null) {
      out.dispatch();
    }
    waiter.startTimer(waiter.timeoutAt - now);
    if (gateDelay > 0) {
      wakeAt(executor, gateDue, gateDelay);
    }
    return waiter;
  }

  /**
   * The prefill gate holds a waiter back until a first token comes or, without one, an awaiting permit's count
   * lapses: nothing else may happen at that moment on a quiet backend, so a timer serves the room then.
   */
  private void wakeAt(EventExecutor executor, long due, long delayNanos) {
    try {
      executor.schedule(() -> wake(executor, due), delayNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // The waiter's event loop is shutting down; its waiter is cancelled with it.
    }
  }

  /**
   * The gate timer ({@link #wakeAt}) set for {@code due}: serves the room if a count lapsed, and sets the
   * timer again for the next lapse while waiters remain behind a closed gate. A timer superseded by an
   * earlier one does nothing.
   */
  private void wake(EventExecutor executor, long due) {
    long now = ticker.nanoTime();
    QueuedWaiter answered = null;
    long again = -1;
    long againDue = 0;
    lock.lock();
    try {
      if (!gateTimer.fire(due)) {
        return;
      }
      if (gate.lapse(now)) {
        answered = serveLocked(now);
      }
      if (room.size() > 0 && gate.holds(now)) {
        again = gateTimer.arm(gate, now);
        againDue = gateTimer.due();
      }
    } finally {
      lock.unlock();
    }
    dispatchAll(answered);
    if (again > 0) {
      wakeAt(executor, againDue, again);
    }
  }

  /**
   * A permit if a slot is free right now (the same rule as {@link #acquire}'s fast path), else {@code null}.
   * Never queues and never sheds: the caller decides what to do without a slot.
   */
  public Permit tryAcquireNow(PriorityClass priority) {
    return tryAcquireNow(priority, -1);
  }

  /** As {@link #tryAcquireNow(PriorityClass)}, for a request body of {@code requestBytes} (-1: unknown). */
  public Permit tryAcquireNow(PriorityClass priority, long requestBytes) {
    Objects.requireNonNull(priority, "priority");
    QueuedWaiter grown;
    Permit permit = null;
    lock.lock();
    try {
      long now = ticker.nanoTime();
      grown = tickLocked(now);
      if (admits(priority, now)) {
        permit = grantLocked(priority, requestBytes, now);
      }
    } finally {
      lock.unlock();
    }
    dispatchAll(grown);
    return permit;
  }

  /**
   * Whether a request of class {@code priority} arriving now should rather spill over to another tier with a
   * free slot (the caller checks that it has one): no slot is free for it here, and the room could not serve
   * it within the budget the door check allows under overload (its place in line times the interval at which
   * places free; a room whose service time is not yet known is assumed to serve soon). A spill counts as a
   * newcomer turned away at the door: evidence for {@link CodelMonitor} that an overload goes on, although
   * the room sees no newcomers while they spill.
   */
  public boolean spillsOver(PriorityClass priority) {
    Objects.requireNonNull(priority, "priority");
    long now = ticker.nanoTime();
    QueuedWaiter grown;
    boolean spills;
    lock.lock();
    try {
      grown = tickLocked(now);
      spills = !admits(priority, now) && door.spills(priority, now);
      if (spills) {
        timeouts.onTurnedAway(now);
      }
    } finally {
      lock.unlock();
    }
    dispatchAll(grown);
    return spills;
  }

  /**
   * Now, on this room's clock. Deadlines in {@link WaitRequest} must be computed from it: other clocks (an
   * event loop's ticker, for one) may have a different origin.
   */
  public long nowNanos() {
    return ticker.nanoTime();
  }

  /** The current concurrency limit. */
  public int limit() {
    return limit.current();
  }

  /**
   * The adaptive limit's baseline for {@code signal}: its latency without queueing (0 when static or not yet
   * measured). For monitoring.
   */
  public long baselineNanos(LatencySample.Signal signal) {
    lock.lock();
    try {
      return limit.baselineNanos(signal);
    } finally {
      lock.unlock();
    }
  }

  /** Permits granted and not yet completed. */
  public int inFlight() {
    lock.lock();
    try {
      return slots.inFlight();
    } finally {
      lock.unlock();
    }
  }

  /**
   * How many admitted requests may await their first token at once ({@link PrefillGate}); 0 while the gate is
   * open for all (not active on this backend). For monitoring.
   */
  public int prefillGateWidth() {
    lock.lock();
    try {
      return gate.active() ? gate.width() : 0;
    } finally {
      lock.unlock();
    }
  }

  /** Requests in the waiting room. */
  public int queued() {
    lock.lock();
    try {
      return room.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * A latency sample from a request still in flight ({@link Permit#onFirstToken}); serves waiters if the limit
   * grew or the prefill gate opened.
   */
  void sample(AdmissionPermit permit, int inFlightAtAdmission, long window, LatencySample sample) {
    long now = ticker.nanoTime();
    QueuedWaiter answered;
    lock.lock();
    try {
      limit.onSample(sample, inFlightAtAdmission, window, now);
      gate.onFirstToken(permit, sample, now);
      if (gate.active() && timeouts.overloaded()) {
        // Under overload the gate, not the limit, holds requests back: a limit far above what is in flight
        // would neither be reached nor judged, and says nothing on the status page.
        limit.onUnused(gate.peakInFlight(now), now);
      }
      gate.bound(limit.current());
      timeouts.floorCodel(gate.longestPaceNanos(), 2 * gate.longestPaceNanos(), !gate.active() || gate.saturated());
      answered = serveLocked(now);
    } finally {
      lock.unlock();
    }
    dispatchAll(answered);
  }

  /** The permit's request asked for a streamed answer or not ({@link PrefillGate#onRequestKind}). */
  void requestKind(AdmissionPermit permit, boolean streamed) {
    long now = ticker.nanoTime();
    QueuedWaiter answered;
    lock.lock();
    try {
      answered = gate.onRequestKind(permit, streamed, now) ? serveLocked(now) : null;
    } finally {
      lock.unlock();
    }
    dispatchAll(answered);
  }

  void release(AdmissionPermit permit, PriorityClass c, Completion completion, int inFlightAtAdmission,
      long window, long admittedAt, LatencySample sample, boolean answering) {
    long now = ticker.nanoTime();
    QueuedWaiter answered;
    lock.lock();
    try {
      slots.release(c);
      gate.onRelease(permit, now);
      limit.onRelease(completion, inFlightAtAdmission, window, now - admittedAt, sample, answering, now);
      answered = serveLocked(now);
    } finally {
      lock.unlock();
    }
    dispatchAll(answered);
  }

  /**
   * Applies an operator's override ({@link dev.spillway.core.incident.LimitOverride#NONE} removes it): the
   * next acquire sees it, and waiters are served at once if it leaves room. In-flight requests are not cut.
   */
  public void override(dev.spillway.core.incident.LimitOverride next) {
    long now = ticker.nanoTime();
    QueuedWaiter answered;
    lock.lock();
    try {
      limit.override(next);
      answered = serveLocked(now);
    } finally {
      lock.unlock();
    }
    dispatchAll(answered);
  }

  /** The limit as measured, without an operator's override (equal to {@link #limit()} when there is none). */
  public int unoverriddenLimit() {
    lock.lock();
    try {
      return limit.unoverridden();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Re-reads the limit, which may have moved without a request finishing (new engine metrics), and serves
   * waiters if it grew.
   */
  public void refreshLimit() {
    long now = ticker.nanoTime();
    QueuedWaiter answered;
    lock.lock();
    try {
      limit.refresh(slots.inFlight(), room.size());
      answered = serveLocked(now);
    } finally {
      lock.unlock();
    }
    dispatchAll(answered);
  }

  /**
   * Applies a reloaded backend config in place, keeping everything live: permits in flight stay valid and come
   * back here (a lowered limit cancels none of them; it admits nobody new until enough have finished), waiters
   * keep their places, and an adaptive limit keeps its learned value within the new bounds
   * ({@link LimitReconfiguration}). CoDel's state restarts only when its target or interval changed. Waiters
   * are served at once if the limit grew.
   *
   * @param engineLoad the backend's engine metrics for an {@code engineSignal} limit, else {@code null}
   */
  public void reconfigure(ConcurrencyConfig concurrency, WaitingRoomConfig nextRoom, EngineLoad engineLoad) {
    Objects.requireNonNull(concurrency, "concurrency");
    Objects.requireNonNull(nextRoom, "nextRoom");
    long now = ticker.nanoTime();
    QueuedWaiter answered;
    lock.lock();
    try {
      limit.reconfigure(concurrency, engineLoad);
      gate.enable(gates(concurrency));
      wantsKind = gates(concurrency);
      room.resize(nextRoom.maxQueue());
      timeouts.reconfigure(nextRoom);
      slots.reshare(nextRoom.shares());
      answered = serveLocked(now);
    } finally {
      lock.unlock();
    }
    dispatchAll(answered);
  }

  /** Cancel of a waiter: takes it out of the room if it is still there. */
  boolean removeQueued(QueuedWaiter w) {
    lock.lock();
    try {
      if (!w.isQueued()) {
        return false;
      }
      room.remove(w);
      w.markCancelled();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * A waiter's timer fired: sheds it if the ticker agrees it is due.
   *
   * @return nanos still to wait if early, 0 if it was shed now (deliver it), -1 if it had already left
   */
  long expire(QueuedWaiter w) {
    long now = ticker.nanoTime();
    lock.lock();
    try {
      if (!w.isQueued()) {
        return -1;
      }
      long remaining = w.timeoutAt - now;
      if (remaining > 0) {
        return remaining;
      }
      room.remove(w);
      timeouts.sampleDelay(w, now);
      w.shed(ShedReason.QUEUE_TIMEOUT, retryAfterNanos());
      return 0;
    } finally {
      lock.unlock();
    }
  }

  /** {@link RoomService#serve}: sheds stale waiters, then serves those capacity allows. Under the lock. */
  private QueuedWaiter serveLocked(long now) {
    return service.serve(now, limit.current());
  }

  private static void dispatchAll(QueuedWaiter answered) {
    RoomService.dispatchAll(answered);
  }

  /**
   * Lets the limit move with time alone (an adaptive limit's bounded start) before a request is judged; if it
   * grew, the waiters are served first (returned linked, to dispatch after unlocking).
   */
  private QueuedWaiter tickLocked(long now) {
    gate.overloaded(timeouts.overloaded());
    boolean grew = limit.tick(now);
    return gate.lapse(now) || grew ? serveLocked(now) : null;
  }

  /** Whether a request of class {@code c} may take a slot now: the limit and the prefill gate allow it. */
  private boolean admits(PriorityClass c, long now) {
    return slots.canAdmit(c, limit.current()) && gate.admits(now);
  }

  /** Takes a slot for class {@code c}: the permit, counted by the gate. Under the lock. */
  private AdmissionPermit grantLocked(PriorityClass c, long requestBytes, long now) {
    AdmissionPermit permit = new AdmissionPermit(this, c, slots.admit(c), limit.window(), now, requestBytes);
    gate.onGrant(permit, now);
    return permit;
  }

  /** {@link #grantLocked}, for {@link RoomService}. */
  AdmissionPermit grant(PriorityClass c, long requestBytes, long now) {
    return grantLocked(c, requestBytes, now);
  }

  /** The Retry-After to give a request shed now. Under the lock (reads the limit in force). */
  private long retryAfterNanos() {
    return serviceTime.retryAfterNanos(limit.current());
  }
}
