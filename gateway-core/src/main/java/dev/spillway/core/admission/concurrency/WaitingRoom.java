package dev.spillway.core.admission.concurrency;

import dev.spillway.core.config.PriorityClass;

/**
 * The bounded queue in front of a backend: who waits, who is served next within a class, and who is pushed
 * out when it is full. Which class is served next is {@link BackendAdmission}'s call (it knows the shares).
 *
 * <p>Rank, highest first: class (CRITICAL, STANDARD, SHEDDABLE), then first attempts before retries. Each
 * (class, attempt) pair is a {@link TenantLane}. When the room is full, a newcomer that outranks the
 * lowest-ranked lane in use displaces one waiter from it; one of the same rank displaces the newest waiter of
 * the tenant holding the most places when its own tenant holds at least two fewer; otherwise the newcomer is
 * refused. The room is {@code maxQueue}, or fewer places under overload without streams ({@link RoomEntry}).
 * One tenant may hold at most {@code max(1, maxQueue / 4)} places, so a single heavy tenant cannot fill the
 * room. A tenant's class comes from its tier, so the count is taken within the newcomer's class.
 *
 * <p>Not thread-safe: used under {@link BackendAdmission}'s lock.
 */
final class WaitingRoom {
  static final int TENANT_SHARE_DIVISOR = 4;
  private static final PriorityClass[] CLASSES = PriorityClass.values();

  private int maxQueue;
  /** Indexed by {@link #laneIndex}: lower index, higher rank. */
  private final TenantLane[] lanes = new TenantLane[CLASSES.length * 2];
  private int size;
  /** Every waiter in arrival order, across lanes and tenants, so the oldest one's age is known at once. */
  private QueuedWaiter oldest;
  private QueuedWaiter newest;

  WaitingRoom(int maxQueue) {
    this.maxQueue = maxQueue;
    for (int i = 0; i < lanes.length; i++) {
      lanes[i] = new TenantLane();
    }
  }

  /**
   * A reload changed {@code maxQueue}. Waiters beyond a smaller room stay (they are served or time out as
   * before); newcomers are refused or displace someone until it is back under.
   */
  void resize(int newMaxQueue) {
    this.maxQueue = newMaxQueue;
  }

  int size() {
    return size;
  }

  boolean hasWaiters(PriorityClass c) {
    return lanes[c.ordinal() * 2].size() + lanes[c.ordinal() * 2 + 1].size() > 0;
  }

  /**
   * Lets {@code w} in if it may wait, in a room of {@code maxQueue} or {@code places}, whichever is fewer
   * (fewer under overload without streams, see {@link RoomEntry}).
   *
   * @return {@code null} if {@code w} now waits; {@code w} itself if it was refused (room or tenant share
   *     full); otherwise the lower-ranked waiter it displaced, already taken out
   */
  QueuedWaiter offer(QueuedWaiter w, boolean lifo, int places) {
    if (maxQueue == 0) {
      return w;
    }
    int index = laneIndex(w);
    int classBase = index & ~1;
    String tenant = w.request.tenantKey();
    if (lanes[classBase].sizeOf(tenant) + lanes[classBase + 1].sizeOf(tenant)
        >= Math.max(1, maxQueue / TENANT_SHARE_DIVISOR)) {
      return w;
    }
    QueuedWaiter displaced = null;
    if (size >= Math.min(maxQueue, places)) {
      if (size == 0) {
        return w;
      }
      int lowest = lanes.length - 1;
      while (lanes[lowest].size() == 0) {
        lowest--;
      }
      // A newcomer of the same rank is refused, answered at once, and those waiting are served within the
      // departures the room holds (pushing out the oldest instead, under overload, shed each waiter after
      // several fresher arrivals: tens of milliseconds at 128 answers a second). Unless its tenant holds at
      // least two fewer places than another: that tenant's newest waiter, just come, gives one up.
      if (lowest < index) {
        return w;
      }
      if (lowest == index) {
        if (lanes[index].largestShare() < lanes[index].sizeOf(tenant) + 2) {
          return w;
        }
        displaced = lanes[index].evict(false);
      } else {
        displaced = lanes[lowest].evict(lifo);
      }
      unlink(displaced);
      size--;
    }
    lanes[index].add(w);
    link(w);
    size++;
    return displaced;
  }

  /** The next waiter of class {@code c}: first attempts before retries, round-robin across tenants. */
  QueuedWaiter poll(PriorityClass c, boolean lifo) {
    TenantLane first = lanes[c.ordinal() * 2];
    QueuedWaiter w = first.size() > 0 ? first.poll(lifo) : lanes[c.ordinal() * 2 + 1].poll(lifo);
    if (w != null) {
      unlink(w);
      size--;
    }
    return w;
  }

  boolean remove(QueuedWaiter w) {
    if (lanes[laneIndex(w)].remove(w)) {
      unlink(w);
      size--;
      return true;
    }
    return false;
  }

  /** Takes out the longest-waiting request; only while {@link #size()} &gt; 0. */
  QueuedWaiter pollOldest() {
    QueuedWaiter w = oldest;
    remove(w);
    return w;
  }

  /** When the longest-waiting request still in the room arrived; only valid while {@link #size()} &gt; 0. */
  long oldestEnqueuedAt() {
    return oldest.enqueuedAt;
  }

  private void link(QueuedWaiter w) {
    w.older = newest;
    w.newer = null;
    if (newest == null) {
      oldest = w;
    } else {
      newest.newer = w;
    }
    newest = w;
  }

  private void unlink(QueuedWaiter w) {
    if (w.older == null) {
      oldest = w.newer;
    } else {
      w.older.newer = w.newer;
    }
    if (w.newer == null) {
      newest = w.older;
    } else {
      w.newer.older = w.older;
    }
    w.older = null;
    w.newer = null;
  }

  private static int laneIndex(QueuedWaiter w) {
    return w.request.priority().ordinal() * 2 + (w.request.retry() ? 1 : 0);
  }
}
