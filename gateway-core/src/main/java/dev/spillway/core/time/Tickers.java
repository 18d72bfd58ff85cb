package dev.spillway.core.time;

import io.github.bucket4j.TimeMeter;
import io.netty.util.concurrent.EventExecutor;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

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

  /**
   * A {@link Clock} that runs on {@code ticker}, for libraries that measure elapsed time with
   * {@code Clock.instant()} (Resilience4j's open-state wait and time-based windows). Its instants start at the
   * epoch when the clock is made and advance by the ticker's differences, so they never jump when the raw
   * nanosecond value wraps. They are not wall-clock time.
   */
  public static Clock clock(Ticker ticker) {
    return new TickerClock(ticker, ticker.nanoTime());
  }

  private static final class TickerClock extends Clock {
    private final Ticker ticker;
    private final long origin;

    TickerClock(Ticker ticker, long origin) {
      this.ticker = ticker;
      this.origin = origin;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochSecond(0, ticker.nanoTime() - origin);
    }

    @Override
    public long millis() {
      return (ticker.nanoTime() - origin) / 1_000_000L;
    }
  }
}
