package dev.spillway.bench.load;

import dev.spillway.core.time.Ticker;
import java.util.concurrent.locks.LockSupport;

/**
 * Releases the requests of a {@link Schedule} at their intended starts, whether or not earlier ones have
 * finished. When the dispatcher itself falls behind (a GC pause, a busy core), the late requests go out at
 * once, still carrying their intended starts, so the delay counts in their latency.
 */
public final class OpenLoopDispatcher {
  /** Receives each request as it becomes due. */
  @FunctionalInterface
  public interface Sink {
    /** Sends request {@code index}, whose intended start is {@code intendedNanos} on the ticker. */
    void send(long index, long intendedNanos);
  }

  private final Schedule schedule;
  private final long originNanos;
  private final Sink sink;
  private long next;

  /** A dispatcher whose request 0 is intended at {@code originNanos} on the ticker. */
  public OpenLoopDispatcher(Schedule schedule, long originNanos, Sink sink) {
    this.schedule = schedule;
    this.originNanos = originNanos;
    this.sink = sink;
  }

  /**
   * Sends every request due at {@code nowNanos}, and returns the nanoseconds until the next is due (0 when
   * one is due already, -1 when the schedule is done).
   */
  public long dispatchDue(long nowNanos) {
    while (next < schedule.count()) {
      long intended = originNanos + schedule.offsetNanos(next);
      long wait = intended - nowNanos;
      if (wait > 0) {
        return wait;
      }
      sink.send(next, intended);
      next++;
    }
    return -1;
  }

  /** How many requests have been sent. */
  public long dispatched() {
    return next;
  }

  /**
   * Runs the whole schedule on the calling thread, parking between requests. Stops early at
   * {@code deadlineNanos} on the ticker; the schedule's length bounds the loop in any case.
   */
  public void run(Ticker ticker, long deadlineNanos) {
    while (true) {
      long now = ticker.nanoTime();
      if (now - deadlineNanos >= 0) {
        return;
      }
      long wait = dispatchDue(now);
      if (wait < 0) {
        return;
      }
      if (wait > 0) {
        LockSupport.parkNanos(Math.min(wait, deadlineNanos - now));
      }
    }
  }
}
