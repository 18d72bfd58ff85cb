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
    awaitFinished(result, drainDeadline);
    return result;
  }

  /**
   * Runs {@code schedule} against {@code target} keeping one record per request, waits at most {@code drain}
   * after the last intended start for the requests still running, then gives up on them: closes every
   * connection and records them as abandoned (with their first token, if one came). This bounds a run against
   * a backend with answers far longer than the run. Otherwise as
   * {@link #run(Target, RequestSource, Schedule, Duration, Duration, boolean, LongConsumer)}.
   */
  public LoadResult runAbandoning(Target target, RequestSource requests, Schedule schedule, Duration timeout,
      Duration drain, LongConsumer onOrigin) {
    long timeoutNanos = timeout.toNanos();
    long origin = ticker.nanoTime() + START_DELAY_NANOS;
    long end = origin + schedule.durationNanos();
    int seconds = (int) TimeUnit.NANOSECONDS.toSeconds(schedule.durationNanos() + drain.toNanos() + GRACE_NANOS) + 1;
    LoadResult result = new LoadResult(origin, seconds, TimeUnit.SECONDS.toNanos(1), true);
    onOrigin.accept(origin);
    OpenLoopDispatcher dispatcher = new OpenLoopDispatcher(schedule, origin,
        (i, intended) -> client.send(target, requests.request(i), intended, result, timeoutNanos));
    dispatcher.run(ticker, end + GRACE_NANOS);
    awaitFinished(result, end + drain.toNanos());
    if (result.finishedCount() < result.sentCount()) {
      result.abandon();
      client.closeAll();
      awaitFinished(result, ticker.nanoTime() + GRACE_NANOS);
    }
    return result;
  }

  private void awaitFinished(LoadResult result, long deadline) {
    while (result.finishedCount() < result.sentCount() && ticker.nanoTime() - deadline < 0) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
  }
}
