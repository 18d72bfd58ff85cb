package dev.spillway.core.admission.concurrency;

/**
 * The one timer that serves a waiting room behind a closed {@link PrefillGate} when an awaiting permit's count
 * lapses (a whole answer's expected first token passes): on a quiet backend nothing else may happen then, and
 * the waiter would wait for the next request or answer to move. At most one timer is live: a new one is set
 * only for an earlier lapse, and a superseded one does nothing when it fires. Not thread-safe: used under
 * {@link BackendAdmission}'s lock; the caller schedules it on an executor after unlocking.
 */
final class GateTimer {
  private boolean pending;
  private long due;

  /**
   * Sets the timer for the gate's soonest lapse, unless a live one is due no later. Returns the delay to
   * schedule it with ({@link #due()} then tells for when), or -1 when nothing needs scheduling.
   */
  long arm(PrefillGate gate, long now) {
    long next = gate.nextLapseNanos(now);
    if (next <= 0 || (pending && now + next - due >= 0)) {
      return -1;
    }
    pending = true;
    due = now + next;
    return next;
  }

  /** When the live timer is due. */
  long due() {
    return due;
  }

  /** A timer set for {@code firedDue} fired: whether it is the live one (it is then spent). */
  boolean fire(long firedDue) {
    if (!pending || firedDue != due) {
      return false;
    }
    pending = false;
    return true;
  }
}
