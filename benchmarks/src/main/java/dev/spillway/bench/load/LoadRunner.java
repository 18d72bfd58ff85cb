package dev.spillway.bench.load;

import dev.spillway.core.time.Ticker;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

/**
 * Runs one open-loop load run: dispatches a {@link Schedule} to one target, then waits for the requests
 * still in flight, up to the client timeout plus a grace period. Bounded in time whatever the target does.
 */
public final class LoadRunner {
  private static final long START_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);

  private final LoadClient client;
  private final Ticker ticker;

  public LoadRunner(LoadClient client, Ticker ticker) {
    this.client = client;
    this.ticker = ticker;
  }

  /** Runs {@code schedule} against {@code target}; see {@link #run(Target, ChatRequest, Schedule, Duration,
   * Duration, LongConsumer)}. */
  public LoadResult run(Target target, ChatRequest request, Schedule schedule, Duration timeout) {
    return run(target, request, schedule, timeout, Duration.ofSeconds(1), origin -> { });
  }

  /**
   * Runs {@code schedule} against {@code target}. A response not complete {@code timeout} after its intended
   * start counts as a timeout; a stream silent for longer than {@code stall} between chunks counts as a
   * stall. {@code onOrigin} gets the ticker reading of request 0's intended start before anything is sent,
   * so a scenario can time its own actions (killing a backend, sampling memory) against the schedule.
   */
  public LoadResult run(Target target, ChatRequest request, Schedule schedule, Duration timeout, Duration stall,
      LongConsumer onOrigin) {
    return run(target, RequestSource.constant(request), schedule, timeout, stall, false, onOrigin);
  }

  /**
   * Runs {@code schedule} against {@code target}, request {@code i} being {@code requests.request(i)}; with
   * {@code keepRecords} the result keeps one record per request. Otherwise as
   * {@link #run(Target, ChatRequest, Schedule, Duration, Duration, LongConsumer)}.
   */
  public LoadResult run(Target target, RequestSource requests, Schedule schedule, Duration timeout, Duration stall,
      boolean keepRecords, LongConsumer onOrigin) {
    long timeoutNanos = timeout.toNanos();
    long origin = ticker.nanoTime() + START_DELAY_NANOS;
    long end = origin + schedule.durationNanos();
    int seconds = (int) TimeUnit.NANOSECONDS.toSeconds(schedule.durationNanos() + timeoutNanos + GRACE_NANOS) + 1;
    LoadResult result = new LoadResult(origin, seconds, stall.toNanos(), keepRecords);
    onOrigin.accept(origin);
    OpenLoopDispatcher dispatcher = new OpenLoopDispatcher(schedule, origin,
        (i, intended) -> client.send(target, requests.request(i), intended, result, timeoutNanos));
    dispatcher.run(ticker, end + GRACE_NANOS);
    long drainDeadline = end + timeoutNanos + GRACE_NANOS;
    while (result.finishedCount() < result.sentCount() && ticker.nanoTime() - drainDeadline < 0) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
    return result;
  }
}
