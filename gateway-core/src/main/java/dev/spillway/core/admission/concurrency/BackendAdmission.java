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
 * <p><b>Limit.</b> Static, or adaptive to the backend's normalised latency ({@link GradientLimit}), fed by
 * each {@link Permit}'s completion. A priority class may always use {@code floor(share * limit)} slots, and
 * borrows whatever else is idle (concurrency-limits' {@code AbstractPartitionedLimiter} semantics): a request
 * is admitted while {@code inFlight < limit}, or while its class holds fewer slots than its guarantee, even if
 * other classes' borrowing has filled the limit. So {@link #inFlight()} may exceed {@link #limit()} by at most
 * the classes' unused guarantees (and when an adaptive limit shrinks below what is already in flight).
 *
 * <p><b>Waiting.</b> Otherwise the request waits in a bounded {@link WaitingRoom}, or is shed at once with
 * {@link ShedReason#QUEUE_FULL}, {@link ShedReason#DISPLACED} (for the lower-ranked waiter it pushed out) or
 * {@link ShedReason#DEADLINE_UNREACHABLE} (its deadline is nearer than the expected time to first byte, see
 * {@link ServiceTime}). When a slot frees, classes below their guarantee are served first, then the
 * highest class; within a class first attempts before retries and tenants round-robin.
 *
 * <p><b>Timeouts.</b> A waiter leaves with {@link ShedReason#QUEUE_TIMEOUT} at the sooner of {@code now +
 * maxWait} and {@code deadline - expected time to first byte} (after that it cannot finish in time). Under
 * persistent overload ({@link CodelMonitor}) new waiters get CoDel's short timeout of twice the target
 * instead of maxWait, and each tenant's sub-queue is served newest first. The timeout is scheduled on the
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
  private static final PriorityClass[] CLASSES = PriorityClass.values();

  private final ReentrantLock lock = new ReentrantLock();
  private final Ticker ticker;
  private final ConcurrencyLimit limit;
  private final WaitingRoom room;
  private final CodelMonitor codel;
  private final ServiceTime serviceTime;
  private final double[] shares = new double[CLASSES.length];
  private final long maxWaitNanos;
  private final int[] classInFlight = new int[CLASSES.length];
  private int inFlight;
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
    this.limit = ConcurrencyLimit.of(concurrency, engineLoad, ticker);
    this.room = new WaitingRoom(room.maxQueue());
    long target = room.codelTarget().toNanos();
    this.codel = new CodelMonitor(target, room.codelInterval().toNanos());
    this.serviceTime = new ServiceTime(target);
    this.maxWaitNanos = room.maxWait().toNanos();
    room.shares().forEach((c, share) -> shares[c.ordinal()] = share);
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
    long expected = serviceTime.expectedNanos();
    if (request.deadlineNanos() - now - expected <= 0) {
      Callbacks.shedNow(executor, callback, ShedReason.DEADLINE_UNREACHABLE, retryAfterNanos());
      return Waiter.NOOP;
    }
    PriorityClass c = request.priority();
    QueuedWaiter waiter = null;
    QueuedWaiter out = null;
    int admittedAt = 0;
    lock.lock();
    try {
      if (canAdmit(c)) {
        admittedAt = admitLocked(c);
      } else {
        if (room.size() == 0) {
          codel.onEmptyRoom(now);
        }
        boolean overloaded = codel.overloaded();
        long waitUntil = now + (overloaded ? codel.overloadedWaitNanos() : maxWaitNanos);
        long finishBy = request.deadlineNanos() - expected;
        waiter = new QueuedWaiter(this, request, executor, callback, now,
            finishBy - waitUntil < 0 ? finishBy : waitUntil);
        out = room.offer(waiter, overloaded);
        if (out != null && out != waiter) {
          out.shed(ShedReason.DISPLACED, retryAfterNanos());
        }
      }
    } finally {
      lock.unlock();
    }
    if (waiter == null) {
      Callbacks.permitNow(executor, callback, new AdmissionPermit(this, c, admittedAt));
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
   * A permit if a slot is free right now (the same rule as {@link #acquire}'s fast path), else {@code null}.
   * Never queues and never sheds: the caller decides what to do without a slot.
   */
  public Permit tryAcquireNow(PriorityClass priority) {
    Objects.requireNonNull(priority, "priority");
    lock.lock();
    try {
      if (!canAdmit(priority)) {
        return null;
      }
      return new AdmissionPermit(this, priority, admitLocked(priority));
    } finally {
      lock.unlock();
    }
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

  /** Permits granted and not yet completed. */
  public int inFlight() {
    lock.lock();
    try {
      return inFlight;
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

  void release(PriorityClass c, Completion completion, int admittedAt, long ttfb, long total, long tokens) {
    long now = ticker.nanoTime();
    QueuedWaiter answered;
    lock.lock();
    try {
      inFlight--;
      classInFlight[c.ordinal()]--;
      if (completion == Completion.SUCCESS) {
        limit.onSample(ttfb, total, tokens, admittedAt);
        serviceTime.onSample(ttfb, total);
      } else if (completion == Completion.DROPPED) {
        limit.onDropped();
      }
      currentLimit = limit.limit();
      answered = serveLocked(now);
    } finally {
      lock.unlock();
    }
    while (answered != null) {
      QueuedWaiter next = answered.next;
      answered.next = null;
      answered.dispatch();
      answered = next;
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
      limit.onRefresh(inFlight, room.size());
      currentLimit = limit.limit();
      answered = serveLocked(now);
    } finally {
      lock.unlock();
    }
    while (answered != null) {
      QueuedWaiter next = answered.next;
      answered.next = null;
      answered.dispatch();
      answered = next;
    }
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
      codel.onSojourn(now - w.enqueuedAt, now);
      w.shed(ShedReason.QUEUE_TIMEOUT, retryAfterNanos());
      return 0;
    } finally {
      lock.unlock();
    }
  }

  /** Serves waiters while capacity allows; returns them linked in serving order, to dispatch after unlocking. */
  private QueuedWaiter serveLocked(long now) {
    QueuedWaiter head = null;
    QueuedWaiter tail = null;
    PriorityClass c;
    while ((c = nextClassLocked()) != null) {
      QueuedWaiter w = room.poll(c, codel.overloaded());
      codel.onSojourn(now - w.enqueuedAt, now);
      if (now - w.timeoutAt >= 0) {
        w.shed(ShedReason.QUEUE_TIMEOUT, retryAfterNanos());
      } else {
        w.grant(new AdmissionPermit(this, c, admitLocked(c)));
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

  /** A class below its guarantee first (highest such), else, while under the limit, the highest waiting. */
  private PriorityClass nextClassLocked() {
    for (PriorityClass c : CLASSES) {
      if (room.hasWaiters(c) && classInFlight[c.ordinal()] < guaranteed(c)) {
        return c;
      }
    }
    if (inFlight < currentLimit) {
      for (PriorityClass c : CLASSES) {
        if (room.hasWaiters(c)) {
          return c;
        }
      }
    }
    return null;
  }

  private boolean canAdmit(PriorityClass c) {
    return inFlight < currentLimit || classInFlight[c.ordinal()] < guaranteed(c);
  }

  private int guaranteed(PriorityClass c) {
    return (int) (shares[c.ordinal()] * currentLimit);
  }

  private int admitLocked(PriorityClass c) {
    classInFlight[c.ordinal()]++;
    return ++inFlight;
  }

  private long retryAfterNanos() {
    return serviceTime.retryAfterNanos(currentLimit);
  }
}
