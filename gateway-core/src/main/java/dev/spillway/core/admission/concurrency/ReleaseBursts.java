package dev.spillway.core.admission.concurrency;

import java.util.concurrent.TimeUnit;

/**
 * How many places the backend frees at once: the most releases that came within {@value #SPAN_MILLIS} ms of
 * each other over the last one to two seconds. A backend whose answers take exactly the same time frees a
 * whole batch together (a burst of 64 on the fixed mock), one whose times vary frees them one by one (a few
 * within a millisecond on 64 slots of 25–75 ms). The waiting room under overload without streams keeps as
 * many waiters as one burst can take ({@link RoomEntry}). Not thread-safe: used under
 * {@link BackendAdmission}'s lock.
 */
final class ReleaseBursts {
  static final long SPAN_MILLIS = 1;
  private static final long SPAN_NANOS = TimeUnit.MILLISECONDS.toNanos(SPAN_MILLIS);
  private static final long PERIOD_NANOS = TimeUnit.SECONDS.toNanos(1);

  private long burstStart;
  private int inBurst;
  private long periodStart;
  private int largestThisPeriod;
  private int largestLastPeriod;
  private boolean started;

  void onRelease(long now) {
    if (!started) {
      started = true;
      burstStart = now;
      periodStart = now;
    }
    if (now - burstStart <= SPAN_NANOS) {
      inBurst++;
    } else {
      burstStart = now;
      inBurst = 1;
    }
    if (now - periodStart >= PERIOD_NANOS) {
      largestLastPeriod = now - periodStart >= 2 * PERIOD_NANOS ? 0 : largestThisPeriod;
      largestThisPeriod = 0;
      periodStart = now;
    }
    largestThisPeriod = Math.max(largestThisPeriod, inBurst);
  }

  /** The most places freed at once lately; 0 before any release. */
  int largest() {
    return Math.max(largestThisPeriod, largestLastPeriod);
  }
}
