package dev.spillway.core.admission.concurrency;

import java.util.ArrayDeque;
import java.util.HashMap;

/**
 * One lane of the waiting room (a priority class's first attempts, or its retries): a FIFO sub-queue per
 * tenant, served round-robin, so a tenant with fifty waiters gets one turn per round like a tenant with one.
 *
 * <p>A tenant's sub-queue exists only while it holds waiters, so the map stays as small as the room however
 * many tenants pass through. Not thread-safe: used under {@link BackendAdmission}'s lock.
 */
final class TenantLane {
  private final HashMap<String, ArrayDeque<QueuedWaiter>> byTenant = new HashMap<>();
  /** Tenants with waiters, in the order they get their next turn. */
  private final ArrayDeque<ArrayDeque<QueuedWaiter>> rotation = new ArrayDeque<>();
  private int size;

  int size() {
    return size;
  }

  int sizeOf(String tenantKey) {
    ArrayDeque<QueuedWaiter> q = byTenant.get(tenantKey);
    return q == null ? 0 : q.size();
  }

  /** The most waiters any one tenant holds in this lane. */
  int largestShare() {
    int most = 0;
    for (ArrayDeque<QueuedWaiter> q : rotation) {
      most = Math.max(most, q.size());
    }
    return most;
  }

  void add(QueuedWaiter w) {
    ArrayDeque<QueuedWaiter> q = byTenant.get(w.request.tenantKey());
    if (q == null) {
      q = new ArrayDeque<>(4);
      byTenant.put(w.request.tenantKey(), q);
      rotation.addLast(q);
    }
    q.addLast(w);
    size++;
  }

  /**
   * The next tenant's turn: its oldest waiter, or under {@code lifo} its newest (the one whose client is
   * most likely still there).
   */
  QueuedWaiter poll(boolean lifo) {
    ArrayDeque<QueuedWaiter> q = rotation.pollFirst();
    if (q == null) {
      return null;
    }
    QueuedWaiter w = lifo ? q.pollLast() : q.pollFirst();
    size--;
    if (q.isEmpty()) {
      byTenant.remove(w.request.tenantKey());
    } else {
      rotation.addLast(q);
    }
    return w;
  }

  /**
   * Takes out the waiter to give up first: from the tenant holding the most, the one it would be served
   * last (its newest, or under {@code lifo} its oldest). Under {@code lifo}, of tenants holding as many, the
   * oldest waiter goes: with many tenants holding one each, any other choice left an old one waiting for
   * its tenant's turn while fresher ones were pushed out.
   */
  QueuedWaiter evict(boolean lifo) {
    ArrayDeque<QueuedWaiter> largest = null;
    for (ArrayDeque<QueuedWaiter> q : rotation) {
      if (largest == null || q.size() > largest.size()
          || q.size() == largest.size() && (!lifo || q.peekFirst().enqueuedAt - largest.peekFirst().enqueuedAt <= 0)) {
        largest = q;
      }
    }
    if (largest == null) {
      return null;
    }
    QueuedWaiter w = lifo ? largest.peekFirst() : largest.peekLast();
    remove(w);
    return w;
  }

  boolean remove(QueuedWaiter w) {
    ArrayDeque<QueuedWaiter> q = byTenant.get(w.request.tenantKey());
    // Neither ArrayDeque nor QueuedWaiter overrides equals, so remove(Object) matches by identity.
    if (q == null || !q.remove(w)) {
      return false;
    }
    size--;
    if (q.isEmpty()) {
      byTenant.remove(w.request.tenantKey());
      rotation.remove(q);
    }
    return true;
  }
}
