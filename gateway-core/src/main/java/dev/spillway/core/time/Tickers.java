package dev.spillway.core.time;

import io.github.bucket4j.TimeMeter;
import io.netty.util.concurrent.EventExecutor;

/** Adapts a {@link Ticker} to the clock interfaces of the libraries Spillway uses. */
public final class Tickers {
  private Tickers() {}

  /** For Bucket4j's {@code withCustomTimePrecision}: monotonic, not wall-clock. */
  public static TimeMeter timeMeter(Ticker ticker) {
    return new TimeMeter() {
      @Override
      public long currentTimeNanos() {
        return ticker.nanoTime();
      }

      @Override
      public boolean isWallClockBased() {
        return false;
      }
    };
  }

  /** For Caffeine's {@code Caffeine.ticker(..)}. */
  public static com.github.benmanes.caffeine.cache.Ticker caffeine(Ticker ticker) {
    return ticker::nanoTime;
  }

  /** An event loop's own ticker, which {@code EmbeddedChannel.advanceTimeBy} moves in tests. */
  public static Ticker of(EventExecutor executor) {
    io.netty.util.concurrent.Ticker nettyTicker = executor.ticker();
    return nettyTicker::nanoTime;
  }
}
