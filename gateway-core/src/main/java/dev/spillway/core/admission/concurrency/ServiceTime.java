package dev.spillway.core.admission.concurrency;

import java.util.concurrent.TimeUnit;

/**
 * Short-term estimates of how long the backend takes, for shedding a queued request early and for
 * {@code Retry-After}. Written under {@link BackendAdmission}'s lock; read without it, so the published values
 * are volatile (a torn pair only skews one estimate slightly).
 *
 * <p><b>Time to first token</b>: learnt only from event streams ({@link LatencySample.Signal#FIRST_TOKEN}).
 * A non-streamed answer's first byte comes when it is complete, so its time says how long that answer was,
 * not how soon the backend starts: it is never used here. The estimate halves every
 * {@value #HALF_LIFE_SECONDS} s without a new sample, so one slow answer cannot latch the backend into
 * shedding while nothing is measured.
 *
 * <p><b>Slot holding time</b>: from every released permit (successes, failures and timeouts alike). Capacity
 * frees, on average, once per {@code holdTime / limit}; that is the retry-after estimate, never below
 * {@code floorNanos} (CoDel's target) so clients do not come straight back. And how many places free at once
 * ({@link ReleaseBursts}).
 */
final class ServiceTime {
  static final int HALF_LIFE_SECONDS = 10;
  private static final double ALPHA = 2.0 / (10 + 1);
  private static final double HALF_LIFE_NANOS = TimeUnit.SECONDS.toNanos(HALF_LIFE_SECONDS);

  private final long floorNanos;
  private volatile long firstTokenNanos;
  private volatile long firstTokenAt;
  private volatile long holdNanos;
  private final ReleaseBursts bursts = new ReleaseBursts();

  ServiceTime(long floorNanos) {
    this.floorNanos = floorNanos;
  }

  void onSample(LatencySample sample, long now) {
    if (sample.signal() != LatencySample.Signal.FIRST_TOKEN) {
      return;
    }
    long current = expectedFirstTokenNanos(now);
    long v = sample.latencyNanos();
    firstTokenNanos = current == 0 ? v : current + (long) (ALPHA * (v - current));
    firstTokenAt = now;
  }

  void onRelease(long heldNanos, long now) {
    bursts.onRelease(now);
    if (heldNanos > 0) {
      holdNanos = holdNanos == 0 ? heldNanos : holdNanos + (long) (ALPHA * (heldNanos - holdNanos));
    }
  }

  /** Expected time to first token, decayed by the time since the last sample; 0 until the first sample. */
  long expectedFirstTokenNanos(long now) {
    long v = firstTokenNanos;
    if (v == 0) {
      return 0;
    }
    long age = now - firstTokenAt;
    return age <= 0 ? v : (long) (v * Math.pow(0.5, age / HALF_LIFE_NANOS));
  }

  long retryAfterNanos(int limit) {
    return Math.max(floorNanos, departureIntervalNanos(limit));
  }

  /** The most places the backend freed at once lately ({@link ReleaseBursts}); 0 before any release. */
  int releaseBurst() {
    return bursts.largest();
  }

  /** A slot's mean holding time; 0 before any release. */
  long holdNanos() {
    return holdNanos;
  }

  /** How often a slot frees with {@code limit} busy, on average; 0 before any release. */
  long departureIntervalNanos(int limit) {
    return holdNanos / Math.max(1, limit);
  }
}
