package dev.spillway.core.admission.concurrency;

import java.util.concurrent.TimeUnit;

/**
 * How fast the backend frees slots: releases of permits (whatever their outcome) per second, over the last
 * second, or over the last {@value #MIN_RELEASES} releases when fewer came in that second (slow backends).
 * When the backend is saturated this is its service rate, and Little's law turns a latency's excess over its
 * baseline into the number of requests queued ahead: {@code excess * rate}. Not thread-safe: used under
 * {@link BackendAdmission}'s lock.
 */
final class DepartureRate {
  static final int MIN_RELEASES = 8;
  private static final int CAPACITY = 1024;
  private static final long SPAN_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final long[] times = new long[CAPACITY];
  private int next;
  private int size;

  void onRelease(long now) {
    times[next] = now;
    next = (next + 1) % CAPACITY;
    size = Math.min(size + 1, CAPACITY);
  }

  /** Releases per second; 0 before {@value #MIN_RELEASES} releases. */
  double perSecond(long now) {
    if (size < MIN_RELEASES) {
      return 0;
    }
    int inSecond = 0;
    while (inSecond < size && now - timeAgo(inSecond) <= SPAN_NANOS) {
      inSecond++;
    }
    if (inSecond == CAPACITY) {
      // All held releases came within the second: the span they took.
      return CAPACITY / seconds(now - timeAgo(CAPACITY - 1));
    }
    if (inSecond >= MIN_RELEASES) {
      return inSecond;
    }
    return MIN_RELEASES / seconds(now - timeAgo(MIN_RELEASES - 1));
  }

  /**
   * Releases in {@code (from, to]}: the places that freed while a request admitted at {@code from} waited for
   * one it took by {@code to}; -1 when releases that old are no longer held.
   */
  int between(long from, long to) {
    if (size == CAPACITY && timeAgo(CAPACITY - 1) > from) {
      // Older releases are forgotten: the count would fall short.
      return -1;
    }
    int n = 0;
    for (int k = 0; k < size; k++) {
      long t = timeAgo(k);
      if (t <= from) {
        break;
      }
      if (t <= to) {
        n++;
      }
    }
    return n;
  }

  /** Releases seen so far, up to the {@value #CAPACITY} held. */
  int seen() {
    return size;
  }

  /** The release {@code k} before the newest (0: the newest). */
  private long timeAgo(int k) {
    return times[(next - 1 - k + CAPACITY) % CAPACITY];
  }

  private static double seconds(long nanos) {
    return Math.max(1, nanos) / 1e9;
  }
}
