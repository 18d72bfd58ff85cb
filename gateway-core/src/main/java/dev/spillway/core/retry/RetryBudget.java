package dev.spillway.core.retry;

import dev.spillway.core.config.RetryConfig;
import dev.spillway.core.time.Ticker;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A route's retry budget, so that when everything fails retries add at most a fixed share of load instead of
 * multiplying it (the design of Finagle's {@code RetryBudget} and Armeria's {@code TokenBasedRetryLimiter}).
 *
 * <p>Two sources pay for retries:
 * <ul>
 *   <li><b>the ratio</b>: every first attempt {@link #deposit deposits} {@code budget.ratio} of a token, up to
 *       {@value #MAX_BALANCE} tokens (so a long healthy spell does not bank a burst of retries for the next
 *       outage); a retry withdraws one whole token;</li>
 *   <li><b>the floor</b>: {@code budget.minRetriesPerSecond} tokens a second from the injected {@link Ticker},
 *       at most one second's worth banked, so a quiet route can still retry. It is a GCRA (one virtual
 *       "next free" time), so it needs no timer and no refill step.</li>
 * </ul>
 * A retry is paid from the ratio when it can be, else from the floor, else {@link #tryWithdraw} says no and the
 * request fails fast. Over any stretch of time {@code t} from creation, with {@code n} first attempts:
 * {@code retries <= ratio × n + minRetriesPerSecond × (1 + t / 1s)}.
 *
 * <p>Thread-safe and lock-free: each source is one {@link AtomicLong} changed by compare-and-set. Counters for
 * metrics are {@link LongAdder}s.
 */
public final class RetryBudget {
  /** Most whole tokens the ratio can bank. */
  public static final long MAX_BALANCE = 100;
  /** Fixed-point scale of the ratio balance: one token. */
  private static final long UNIT = 1_000_000;
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final Ticker ticker;
  private final long depositUnits;
  private final long maxUnits;
  /** Nanos between floor tokens, or 0 without a floor. */
  private final long floorInterval;
  /** How far ahead of now the floor's next-free time may run: the banked second, less one token. */
  private final long floorTolerance;

  private final AtomicLong balance = new AtomicLong();
  /** GCRA theoretical arrival time: when the floor has a token again (in the past when it has some). */
  private final AtomicLong floorNext;

  private final LongAdder deposits = new LongAdder();
  private final LongAdder retries = new LongAdder();
  private final LongAdder denied = new LongAdder();

  public RetryBudget(double ratio, int minRetriesPerSecond, Ticker ticker) {
    if (!(ratio >= 0 && ratio <= 1)) {
      throw new IllegalArgumentException("ratio: " + ratio + " (expected: 0..1)");
    }
    if (minRetriesPerSecond < 0) {
      throw new IllegalArgumentException("minRetriesPerSecond: " + minRetriesPerSecond + " (expected: >= 0)");
    }
    this.ticker = ticker;
    // Truncated, so deposits never add up to more than the ratio allows.
    this.depositUnits = (long) (ratio * UNIT);
    this.maxUnits = MAX_BALANCE * UNIT;
    this.floorInterval = minRetriesPerSecond == 0 ? 0 : NANOS_PER_SECOND / minRetriesPerSecond
        + (NANOS_PER_SECOND % minRetriesPerSecond == 0 ? 0 : 1);
    this.floorTolerance = minRetriesPerSecond == 0 ? 0 : (minRetriesPerSecond - 1) * floorInterval;
    this.floorNext = new AtomicLong(ticker.nanoTime());
  }

  public static RetryBudget of(RetryConfig config, Ticker ticker) {
    return new RetryBudget(config.budgetRatio(), config.minRetriesPerSecond(), ticker);
  }

  /** A first attempt was made: it earns {@code ratio} of a retry. */
  public void deposit() {
    deposits.increment();
    if (depositUnits == 0) {
      return;
    }
    long current;
    do {
      current = balance.get();
      if (current >= maxUnits) {
        return;
      }
    } while (!balance.compareAndSet(current, Math.min(maxUnits, current + depositUnits)));
  }

  /** Counts a retry of a request that never reached a backend: it is attempted, but takes nothing. */
  public void recordRequeue() {
    retries.increment();
  }

  /** Takes one retry from the budget; {@code false} (counted as denied) when it is spent. */
  public boolean tryWithdraw() {
    if (withdrawFromRatio() || withdrawFromFloor()) {
      retries.increment();
      return true;
    }
    denied.increment();
    return false;
  }

  private boolean withdrawFromRatio() {
    long current;
    do {
      current = balance.get();
      if (current < UNIT) {
        return false;
      }
    } while (!balance.compareAndSet(current, current - UNIT));
    return true;
  }

  private boolean withdrawFromFloor() {
    if (floorInterval == 0) {
      return false;
    }
    long now = ticker.nanoTime();
    long next;
    long start;
    do {
      next = floorNext.get();
      // Compared by subtraction: the ticker may wrap.
      start = next - now < 0 ? now : next;
      if (start - now > floorTolerance) {
        return false;
      }
    } while (!floorNext.compareAndSet(next, start + floorInterval));
    return true;
  }

  /** Whole tokens banked from the ratio right now (the floor not included). */
  public double balance() {
    return (double) balance.get() / UNIT;
  }

  /** First attempts deposited so far. */
  public long deposits() {
    return deposits.sum();
  }

  /** Retries the budget allowed so far. */
  public long retriesAttempted() {
    return retries.sum();
  }

  /** Retries the budget turned down so far. */
  public long retriesDenied() {
    return denied.sum();
  }
}
