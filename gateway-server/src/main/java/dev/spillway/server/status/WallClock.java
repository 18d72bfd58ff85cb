package dev.spillway.server.status;

import dev.spillway.core.time.Ticker;
import java.time.Clock;
import java.time.Instant;

/**
 * Turns {@link Ticker} readings into wall-clock instants for display, anchored once: intervals stay monotonic
 * even if the system clock jumps.
 */
public final class WallClock {
  private final long anchorNanos;
  private final long anchorMillis;

  public WallClock(Ticker ticker, Clock clock) {
    this.anchorNanos = ticker.nanoTime();
    this.anchorMillis = clock.millis();
  }

  public Instant at(long tickerNanos) {
    return Instant.ofEpochMilli(anchorMillis + (tickerNanos - anchorNanos) / 1_000_000);
  }
}
