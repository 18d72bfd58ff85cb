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
 * <p><b>Limit.</b> Static, or adaptive to the backend's latency signals ({@link GradientLimit}), fed by each
 * {@link Permit}'s completion ({@link LatencySample}). Slots are shared by priority class ({@link SlotShares}): a
 * class may always use {@code floor(share * limit)} slots, and
 * borrows whatever else is idle (concurrency-limits' {@code AbstractPartitionedLimiter} semantics): a request
 * is admitted while {@code inFlight < limit}, or while its class holds fewer slots than its guarantee, even if
 * other classes' borrowing has filled the limit. So {@link #inFlight()} may exceed {@link #limit()} by at most
 * the classes' unused guarantees (and when an adaptive limit shrinks below what is already in flight).
 *
 * <p><b>Waiting.</b> Otherwise the request waits in a bounded {@link WaitingRoom}, or is shed at once with
 * {@link ShedReason#QUEUE_FULL}, {@link ShedReason#DISPLACED} (for the lower-ranked waiter it pushed out) or
 * {@link ShedReason#DEADLINE_UNREACHABLE} (it would have to wait, and its client's deadline is nearer than the
 * expected time to first token, see {@link ServiceTime}; a request that finds a free slot is never judged so). When a slot frees, classes below their guarantee are served first, then the
 * highest class; within a class first attempts before retries and tenants round-robin.
 *
 * <p><b>Timeouts.</b> A waiter leaves with {@link ShedReason#QUEUE_TIMEOUT} at the sooner of {@code now +
 * maxWait} and {@code client deadline - expected time to first token} (after that it cannot finish in time).
 *
 * <p><b>The door.</b> A newcomer without a free slot is let in to wait only if it expects to be served
 * within a small budget (an eighth of the backend's first-token time, at most CoDel's short wait; see
 * {@link #roomServesSoonLocked}), else it is shed at the door with {@link ShedReason#QUEUE_FULL} at once: a
 * wait would likely end in a shed anyway, a shed answer costs the client nothing (and it may overflow to
 * another tier), and those admitted wait only briefly, so their first token stays near the unloaded one. An
 * adaptive limit judges every such newcomer so once it knows the first-token time without queueing; a
 * static limit (or a backend serving no streams) only under sustained overload.
 *
 * <p><b>Sustained overload</b> ({@link CodelMonitor}: queueing delay above target for a whole interval):
 * every waiter gets CoDel's short timeout of twice the target instead of maxWait.
 *
 * <p>The timeout is scheduled on the
 * waiter's own executor (with {@code EmbeddedEventLoop}, tests move it with {@code advanceTimeBy}); when it
 * fires it is checked against the {@link Ticker}, and rescheduled if the ticker says it is early, so the two
 * clocks need not agree. A waiter found expired when a slot frees is shed rather than served.
 *
 * <p><b>Threads.</b> Queue operations run under one lock, held for a few field updates; callbacks and
 * executor calls run after it is released. A request admitted on the spot gets its callback inline when
 * {@code acquire} is called on its executor, with no allocation beyond the permit; answers decided later are
 * posted to the waiter's executor.
 */
public final class BackendAdmission {
  /** A newcomer without a free slot may expect to wait at most this fraction of the first token. */
  static final int WAIT_BUDGET_DIVISOR = 8;

  private final ReentrantLock lock = new ReentrantLock();
  private final Ticker ticker;
  /** The limit, with an operator's override on top; its inner limit is replaced only by {@link #reconfigure}. */
  private final OverriddenLimit limit;
  private final WaitingRoom room;
  private CodelMonitor codel;
  private final ServiceTime serviceTime;
  private long maxWaitNanos;
  /** The waiting room's settings in force; guarded by the lock. */
  private WaitingRoomConfig roomConfig;
  private final SlotShares slots;
  /** {@link ConcurrencyLimit#limit()}, published for readers outside the lock. */
  private volatile int currentLimit;

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
    this.limit = new OverriddenLimit(ConcurrencyLimit.of(concurrency, engineLoad, ticker));
    this.room = new WaitingRoom(room.maxQueue());
    long target = room.codelTarget().toNanos();
    this.codel = new CodelMonitor(target, room.codelInterval().toNanos());
    this.serviceTime = new ServiceTime(target);
    this.maxWaitNanos = room.maxWait().toNanos();
    this.roomConfig = room;
    this.slots = new SlotShares(room.shares());
    this.currentLimit = limit.limit();
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
    int inFlightNow = 0;
    long window = 0;
    boolean unreachable = false;
    boolean full = false;
    QueuedWaiter stale = null;
    QueuedWaiter grown;
    lock.lock();
    try {
      grown = tickLocked(now);
      if (slots.canAdmit(c, currentLimit)) {
        inFlightNow = slots.admit(c);
        window = limit.window();
      } else {
        long waitUntil = waitUntil(request, now);
        if (waitUntil - now <= 0) {
          unreachable = true;
        } else {
          stale = shedStaleLocked(now);
          boolean streams = firstTokenNanos(now) > 0;
          if (judgedAtDoorLocked(now) && !roomServesSoonLocked(now)) {
            if (codel.overloaded()) {
              codel.onTurnedAway(now);
            }
            full = true;
          } else {
            waiter = new QueuedWaiter(this, request, executor, callback, now, waitUntil);
            out = room.offer(waiter, codel.overloaded() && !streams);
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
      Callbacks.permitNow(executor, callback, new AdmissionPermit(this, c, inFlightNow, window, now));
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
    return waiter;
  }

  /**
   * When a request that has to queue gives up: {@code now + maxWait} (CoDel's short wait under overload), or
   * sooner when the client's deadline minus the expected time to first token comes first. Only requests that
   * must wait are judged by their deadline: one that finds a free slot goes straight through. Under the lock.
   */
  private long waitUntil(WaitRequest request, long now) {
    if (room.size() == 0) {
      codel.onEmptyRoom(now);
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
   * Whether a newcomer that finds no free slot is judged at the door ({@link #roomServesSoonLocked}) rather
   * than let in to wait up to {@code maxWait}: once an adaptive limit knows the backend's first-token time
   * without queueing (its start is over and streams have been served), always; otherwise (a static limit,
   * or only non-streamed answers) only under sustained overload, and only once a stream's first token has
   * been measured. During an adaptive limit's start the limit is pinned low on purpose, so waits then say
   * nothing about the backend. Under the lock.
   */
  private boolean judgedAtDoorLocked(long now) {
    return limit.baselineNanos(LatencySample.Signal.FIRST_TOKEN) != 0
        || (codel.overloaded() && firstTokenNanos(now) > 0);
  }

  /**
   * Whether a newcomer would be served within {@link #waitBudgetNanos}: a place frees once per
   * {@code holdTime / limit} on average, and the newcomer needs {@code (queued + 1)} of those, plus one for
   * each request in flight beyond the limit (after a decrease). Otherwise it is turned away at once, not
   * after a wait it would likely spend in vain: a shed answer costs the client nothing, those admitted wait
   * only briefly, and a request let in to wait is nearly always served. Under the lock.
   */
  private boolean roomServesSoonLocked(long now) {
    long interval = serviceTime.departureIntervalNanos(currentLimit);
    long ahead = room.size() + 1L + Math.max(0, slots.inFlight() - currentLimit);
    return interval == 0 || ahead * interval <= waitBudgetNanos(now);
  }

  /**
   * How long a newcomer may expect to wait: an eighth of the backend's time to first token without queueing
   * (the adaptive limit's baseline, else the measured one), and no more than CoDel's short wait. A place
   * frees at random moments, so the wait's p99 is several times its mean; an eighth keeps an admitted
   * stream's first token near the unloaded one.
   */
  private long waitBudgetNanos(long now) {
    return Math.min(codel.overloadedWaitNanos(), firstTokenNanos(now) / WAIT_BUDGET_DIVISOR);
  }

  /**
   * The backend's time to first token without queueing (the adaptive limit's baseline, else the measured
   * one); 0 while no stream has been served. Without streams the room keeps CoDel's LIFO under overload
   * instead of shedding at the door: a non-streamed answer's first byte comes only as its slot is released,
   * so a short wait in the room adds little to it. Under the lock.
   */
  private long firstTokenNanos(long now) {
    long firstToken = limit.baselineNanos(LatencySample.Signal.FIRST_TOKEN);
    return firstToken != 0 ? firstToken : serviceTime.expectedFirstTokenNanos(now);
  }

  /**
   * A permit if a slot is free right now (the same rule as {@link #acquire}'s fast path), else {@code null}.
   * Never queues and never sheds: the caller decides what to do without a slot.
   */
  public Permit tryAcquireNow(PriorityClass priority) {
    Objects.requireNonNull(priority, "priority");
    QueuedWaiter grown;
    Permit permit = null;
    lock.lock();
    try {
      grown = tickLocked(ticker.nanoTime());
      if (slots.canAdmit(priority, currentLimit)) {
        permit = new AdmissionPermit(this, priority, slots.admit(priority), limit.window(), ticker.nanoTime());
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
      spills = !slots.canAdmit(priority, currentLimit) && !roomServesSoonLocked(now);
      if (spills) {
        codel.onTurnedAway(now);
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
    return currentLimit;
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

  /** Requests in the waiting room. */
  public int queued() {
    lock.lock();
    try {
      return room.size();
    } finally {
      lock.unlock();
    }
  }

  /** A latency sample from a request still in flight ({@link Permit#onFirstToken}); serves waiters if the limit grew. */
  void sample(int inFlightAtAdmission, long window, LatencySample sample) {
    long now = ticker.nanoTime();
    QueuedWaiter answered;
    lock.lock();
    try {
      limit.onSample(sample, inFlightAtAdmission, window, now);
      serviceTime.onSample(sample, now);
      currentLimit = limit.limit();
      answered = serveLocked(now);
    } finally {
      lock.unlock();
    }
    dispatchAll(answered);
  }

  void release(PriorityClass c, Completion completion, int inFlightAtAdmission, long window, long admittedAt,
      LatencySample sample) {
    long now = ticker.nanoTime();
    QueuedWaiter answered;
    lock.lock();
    try {
      slots.release(c);
      serviceTime.onRelease(now - admittedAt);
      limit.onRelease(now);
      if (completion == Completion.SUCCESS) {
        limit.onSample(sample, inFlightAtAdmission, window, now);
        serviceTime.onSample(sample, now);
      } else if (completion == Completion.DROPPED) {
        limit.onDropped(window, now);
      }
      currentLimit = limit.limit();
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
      limit.override(java.util.Objects.requireNonNull(next, "next"));
      currentLimit = limit.limit();
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
      limit.onRefresh(slots.inFlight(), room.size());
      currentLimit = limit.limit();
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
      limit.reconfigured(LimitReconfiguration.apply(limit.inner(), concurrency, engineLoad, ticker));
      room.resize(nextRoom.maxQueue());
      if (!nextRoom.codelTarget().equals(roomConfig.codelTarget())
          || !nextRoom.codelInterval().equals(roomConfig.codelInterval())) {
        codel = new CodelMonitor(nextRoom.codelTarget().toNanos(), nextRoom.codelInterval().toNanos());
      }
      maxWaitNanos = nextRoom.maxWait().toNanos();
      slots.reshare(nextRoom.shares());
      roomConfig = nextRoom;
      currentLimit = limit.limit();
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
      sampleDelay(w, now);
      w.shed(ShedReason.QUEUE_TIMEOUT, retryAfterNanos());
      return 0;
    } finally {
      lock.unlock();
    }
  }

  /** Serves waiters while capacity allows; returns them linked in serving order, to dispatch after unlocking. */
  private QueuedWaiter serveLocked(long now) {
    QueuedWaiter head = shedStaleLocked(now);
    QueuedWaiter tail = head;
    while (tail != null && tail.next != null) {
      tail = tail.next;
    }
    PriorityClass c;
    while ((c = slots.nextToServe(room, currentLimit)) != null) {
      QueuedWaiter w = room.poll(c, codel.overloaded() && firstTokenNanos(now) == 0);
      sampleDelay(w, now);
      if (now - w.timeoutAt >= 0) {
        w.shed(ShedReason.QUEUE_TIMEOUT, retryAfterNanos());
      } else {
        w.grant(new AdmissionPermit(this, c, slots.admit(c), limit.window(), now));
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

  /**
   * Under overload every waiter gets CoDel's short wait, those that came in before it began too: sheds,
   * oldest first, each that has waited longer. Returns them linked, to dispatch after unlocking.
   */
  private QueuedWaiter shedStaleLocked(long now) {
    if (!codel.overloaded()) {
      return null;
    }
    QueuedWaiter head = null;
    long maxAge = codel.overloadedWaitNanos();
    while (room.size() > 0 && now - room.oldestEnqueuedAt() >= maxAge) {
      QueuedWaiter w = room.pollOldest();
      w.shed(ShedReason.QUEUE_TIMEOUT, retryAfterNanos());
      w.next = head;
      head = w;
    }
    return head;
  }

  private static void dispatchAll(QueuedWaiter answered) {
    while (answered != null) {
      QueuedWaiter next = answered.next;
      answered.next = null;
      answered.dispatch();
      answered = next;
    }
  }

  /** CoDel's delay sample as {@code left} leaves the room: see {@link CodelMonitor}. */
  private void sampleDelay(QueuedWaiter left, long now) {
    codel.onSojourn(now - (room.size() == 0 ? left.enqueuedAt : room.oldestEnqueuedAt()), now);
  }

  /**
   * Lets the limit move with time alone (an adaptive limit's bounded start) before a request is judged; if it
   * grew, the waiters are served first (returned linked, to dispatch after unlocking).
   */
  private QueuedWaiter tickLocked(long now) {
    int before = currentLimit;
    limit.onTick(now);
    currentLimit = limit.limit();
    return currentLimit > before ? serveLocked(now) : null;
  }

  private long retryAfterNanos() {
    return serviceTime.retryAfterNanos(currentLimit);
  }
}
