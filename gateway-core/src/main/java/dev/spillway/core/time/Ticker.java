package dev.spillway.core.time;

/**
 * The one source of time for limiters, breakers, queues and caches: a monotonic nanosecond counter.
 * Compare readings by subtraction ({@code a - b > 0}), never with {@code <}, since the value may wrap.
 *
 * <p>Production uses {@link #system()}; tests inject a fake one and move it by hand. Adapters exist for
 * Bucket4j ({@link Tickers#timeMeter}) and Caffeine ({@link Tickers#caffeine}), so every library sees the
 * same clock.
 */
@FunctionalInterface
public interface Ticker {

  /** Nanoseconds from an arbitrary origin; only differences mean anything. */
  long nanoTime();

  /** {@link System#nanoTime()}. */
  static Ticker system() {
    return System::nanoTime;
  }
}
