package dev.spillway.core.time;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A ticker tests move by hand. It starts near {@code Long.MAX_VALUE} by default, so code that compares nanos
 * with {@code <} instead of by subtraction fails when the value wraps (Caffeine's {@code StartTime} trick).
 */
public final class FakeTicker implements Ticker {
  /** One minute before the counter wraps. */
  public static final long NEAR_WRAP = Long.MAX_VALUE - Duration.ofMinutes(1).toNanos();

  private final AtomicLong nanos;

  public FakeTicker() {
    this(NEAR_WRAP);
  }

  public FakeTicker(long start) {
    this.nanos = new AtomicLong(start);
  }

  @Override
  public long nanoTime() {
    return nanos.get();
  }

  public FakeTicker advance(Duration d) {
    nanos.addAndGet(d.toNanos());
    return this;
  }

  public FakeTicker advanceNanos(long n) {
    nanos.addAndGet(n);
    return this;
  }
}
