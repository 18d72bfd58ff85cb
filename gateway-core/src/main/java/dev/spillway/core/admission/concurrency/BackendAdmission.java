package dev.spillway.core.admission.concurrency;

import dev.spillway.core.admission.ShedReason;
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
 * override on top; these, and reloads, reach it through {@link CapacityChanges}. Slots are shared by priority
 * class ({@link SlotShares}): a class may always use {@code floor(share * limit)} slots, and borrows whatever
 * else is idle (concurrency-limits' {@code AbstractPartitionedLimiter} semantics): a request is admitted while
 * {@code inFlight < limit}, or while its class holds fewer slots than its guarantee, even if other classes'
 * borrowing has filled the limit. So {@link #inFlight()} may exceed {@link #limit()} by at most the classes'
 * unused guarantees (and when an adaptive limit shrinks below what is already in flight).
 *
 * <p><b>Waiting.</b> Otherwise the request waits in a bounded {@link WaitingRoom}, or is shed at once with
 * {@link ShedReason#QUEUE_FULL}, {@link ShedReason#DISPLACED} (for the lower-ranked waiter it pushed out) or
 * {@link ShedReason#DEADLINE_UNREACHABLE} (it would have to wait, and its client's deadline is nearer than the
 * expected time to first token, see {@link ServiceTime}; a request that finds a free slot is never judged
 * so); {@link RoomEntry} decides which. Freed slots go to waiters in the order {@link RoomService} describes.
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
 * clocks need not agree ({@link RoomExits}).
 *
 * <p><b>Threads.</b> Queue operations run under one lock, owned here and held for a few field updates. The
 * helpers above hold no lock of their own: most are called only under it, and those with steps of their own
 * ({@link CapacityChanges}, {@link RoomExits}, the prefill gate's {@link GateTimer}) take this one for them.
 * Callbacks and executor calls run after it is released. A request admitted on the spot gets its callback
 * inline when {@code acquire} is called on its executor, with no allocation beyond the permit; answers decided
 * later are posted to the waiter's executor.
 */
public final class BackendAdmission {
  private final ReentrantLock lock = new ReentrantLock();
  private final Ticker ticker;
  /** The limit in force; its inner limit is replaced only by {@link #reconfigure}. */
  private final LimitInForce limit;
  private final WaitingRoom room;
  private final SlotShares slots;
  private final RoomTimeouts timeouts;
  private final AdmissionDoor door;
  private final RoomService service;
  private final PrefillGate gate;
  private final RoomEntry entry;
  private final CapacityChanges capacity;

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
    ServiceTime serviceTime = new ServiceTime(room.codelTarget().toNanos());
    this.limit = new LimitInForce(concurrency, engineLoad, serviceTime, ticker);
    this.gate = new PrefillGate(CapacityChanges.gates(concurrency));
    this.timeouts = new RoomTimeouts(this.room, serviceTime, room);
    this.door = new AdmissionDoor(limit, serviceTime, this.room, slots, timeouts, gate);
    this.service = new RoomService(this, limit, serviceTime, this.room, slots, timeouts, door, gate);
    GateTimer gateTimer = new GateTimer(lock, ticker, gate, this.room, service);
    RoomExits exits = new RoomExits(lock, ticker, this.room, timeouts, serviceTime, limit);
    this.entry = new RoomEntry(exits, limit, serviceTime, this.room, timeouts, door, gateTimer);
    this.capacity = new CapacityChanges(lock, ticker, concurrency, limit, this.room, slots, timeouts, gate, service);
  }

  /**
   * Whether this backend's permits use their request's kind ({@link Permit#onRequestKind}): only its prefill
   * gate does. Reading a body for it costs a pass of JSON tokenizing per request, so nobody else should.
   */
  public boolean wantsRequestKind() {
    return capacity.wantsKind();
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
    QueuedWaiter grown;
    AdmissionPermit permit = null;
    RoomEntry.Decision entered = null;
    lock.lock();
    try {
      gate.onArrival(request.requestBytes(), now);
      grown = tickLocked(now);
      if (admits(c, now)) {
        permit = grantLocked(c, request.requestBytes(), now);
      } else {
        entered = entry.decide(request, executor, callback, now);
      }
    } finally {
      lock.unlock();
    }
    dispatchAll(grown);
    if (entered == null) {
      Callbacks.permitNow(executor, callback, permit);
      return Waiter.NOOP;
    }
    return entry.deliver(entered, executor, callback, now);
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
   * Applies an operator's override ({@link dev.spillway.core.incident.LimitOverride#NONE} removes it): the
   * next acquire sees it, and waiters are served at once if it leaves room. In-flight requests are not cut.
   */
  public void override(dev.spillway.core.incident.LimitOverride next) {
    capacity.override(next);
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
    capacity.refresh();
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
    capacity.reconfigure(concurrency, nextRoom, engineLoad);
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
    return gate.lapse(now) || grew ? service.serve(now) : null;
  }

  /** Whether a request of class {@code c} may take a slot now: the limit and the prefill gate allow it. */
  private boolean admits(PriorityClass c, long now) {
    return slots.canAdmit(c, limit.current()) && gate.admits(now);
  }

  /** Takes a slot for class {@code c}: the permit, counted by the gate. Under the lock. */
  private AdmissionPermit grantLocked(PriorityClass c, long requestBytes, long now) {
    AdmissionPermit permit = new AdmissionPermit(capacity, c, slots.admit(c), limit.window(), now, requestBytes);
    gate.onGrant(permit, now);
    return permit;
  }

  /** {@link #grantLocked}, for {@link RoomService}. */
  AdmissionPermit grant(PriorityClass c, long requestBytes, long now) {
    return grantLocked(c, requestBytes, now);
  }
}
