package dev.spillway.core.admission.concurrency;

import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.time.Ticker;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A waiter's ways out of one backend's waiting room other than being served ({@link RoomService}): its caller
 * cancels it, or its queue timeout fires. {@link QueuedWaiter} calls these from its own executor; holding no
 * lock of its own, each takes {@link BackendAdmission}'s.
 */
final class RoomExits {
  private final ReentrantLock lock;
  private final Ticker ticker;
  private final WaitingRoom room;
  private final RoomTimeouts timeouts;
  private final ServiceTime serviceTime;
  private final LimitInForce limit;

  RoomExits(ReentrantLock lock, Ticker ticker, WaitingRoom room, RoomTimeouts timeouts, ServiceTime serviceTime,
      LimitInForce limit) {
    this.lock = lock;
    this.ticker = ticker;
    this.room = room;
    this.timeouts = timeouts;
    this.serviceTime = serviceTime;
    this.limit = limit;
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
      w.shed(ShedReason.QUEUE_TIMEOUT, serviceTime.retryAfterNanos(limit.current()));
      return 0;
    } finally {
      lock.unlock();
    }
  }
}
