package dev.spillway.core.admission.concurrency;

/**
 * Decides whether the waiting room is persistently overloaded, after CoDel (Nichols and Jacobson, 2012) as
 * Facebook's server queues use it: a queue that is merely bursty empties quickly, so its smallest queueing
 * delay (sojourn) drops below target now and then; a queue whose every sojourn has stayed above
 * {@code target} for a whole {@code interval} is standing, and only grows older.
 *
 * <p>Samples are taken whenever a waiter leaves the room (granted or timed out). Overload ends at the first
 * sojourn below target, or when the room has been empty for an interval. Not thread-safe: used under
 * {@link BackendAdmission}'s lock.
 */
final class CodelMonitor {
  private final long targetNanos;
  private final long intervalNanos;
  private boolean aboveTarget;
  private long aboveSince;
  private long lastSampleAt;
  private boolean overloaded;

  CodelMonitor(long targetNanos, long intervalNanos) {
    this.targetNanos = targetNanos;
    this.intervalNanos = intervalNanos;
  }

  void onSojourn(long sojournNanos, long now) {
    lastSampleAt = now;
    if (sojournNanos < targetNanos) {
      aboveTarget = false;
      overloaded = false;
    } else if (!aboveTarget) {
      aboveTarget = true;
      aboveSince = now;
    } else if (now - aboveSince >= intervalNanos) {
      overloaded = true;
    }
  }

  /** A request arrives to an empty room: a quiet interval since the last sample ends any overload. */
  void onEmptyRoom(long now) {
    if ((aboveTarget || overloaded) && now - lastSampleAt >= intervalNanos) {
      aboveTarget = false;
      overloaded = false;
    }
  }

  boolean overloaded() {
    return overloaded;
  }

  /** CoDel's short queue timeout under overload: twice the target. */
  long overloadedWaitNanos() {
    return 2 * targetNanos;
  }
}
