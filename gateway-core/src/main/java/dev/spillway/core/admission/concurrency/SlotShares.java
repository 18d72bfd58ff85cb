package dev.spillway.core.admission.concurrency;

import dev.spillway.core.config.PriorityClass;
import java.util.Map;

/**
 * Who holds a backend's slots, per priority class, and who may take one (concurrency-limits'
 * {@code AbstractPartitionedLimiter} semantics): a class may always use {@code floor(share * limit)} slots
 * and borrows whatever else is idle. Not thread-safe: used under {@link BackendAdmission}'s lock.
 */
final class SlotShares {
  private static final PriorityClass[] CLASSES = PriorityClass.values();

  private final double[] shares = new double[CLASSES.length];
  private final int[] classInFlight = new int[CLASSES.length];
  private int inFlight;

  SlotShares(Map<PriorityClass, Double> shares) {
    reshare(shares);
  }

  /** New guarantees (a reload); the slots held stay held. */
  void reshare(Map<PriorityClass, Double> next) {
    java.util.Arrays.fill(shares, 0);
    next.forEach((c, share) -> shares[c.ordinal()] = share);
  }

  /** Permits granted and not yet completed. */
  int inFlight() {
    return inFlight;
  }

  /** Whether {@code c} may take a slot now: under the limit, or below its class's guarantee. */
  boolean canAdmit(PriorityClass c, int limit) {
    return inFlight < limit || belowGuarantee(c, limit);
  }

  /** Whether {@code c} holds fewer slots than its guaranteed share of {@code limit}. */
  boolean belowGuarantee(PriorityClass c, int limit) {
    return classInFlight[c.ordinal()] < (int) (shares[c.ordinal()] * limit);
  }

  /** {@code c} takes a slot; returns the requests in flight now, itself included. */
  int admit(PriorityClass c) {
    classInFlight[c.ordinal()]++;
    return ++inFlight;
  }

  /**
   * The class whose waiter is served next: a class below its guarantee first (highest such), else, while
   * under the limit, the highest waiting; {@code null} when none may be served.
   */
  PriorityClass nextToServe(WaitingRoom room, int limit) {
    for (PriorityClass c : CLASSES) {
      if (room.hasWaiters(c) && belowGuarantee(c, limit)) {
        return c;
      }
    }
    if (inFlight < limit) {
      for (PriorityClass c : CLASSES) {
        if (room.hasWaiters(c)) {
          return c;
        }
      }
    }
    return null;
  }

  /** A slot of {@code c} is released. */
  void release(PriorityClass c) {
    inFlight--;
    classInFlight[c.ordinal()]--;
  }
}
