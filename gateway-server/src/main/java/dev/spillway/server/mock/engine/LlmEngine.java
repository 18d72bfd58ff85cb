package dev.spillway.server.mock.engine;

import dev.spillway.core.time.Ticker;
import dev.spillway.core.time.Tickers;
import io.netty.util.concurrent.EventExecutor;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The simulated serving engine: one {@link BatchScheduler} driven by one event loop, as vLLM's engine core is
 * one loop. Each step is a task scheduled to run when the step's time is up; it hands out the tokens and plans
 * the next step at once. With nothing to run the loop idles until a request arrives. No thread per request and
 * no sleeping.
 *
 * <p>Back-to-back steps are timed from the previous step's due end rather than from when its task actually ran,
 * so event-loop delays on a busy host do not slow the simulated GPU down; a lag beyond
 * {@value #MAX_CATCH_UP_MILLIS} ms is forgiven rather than made up in a burst.
 *
 * <p>{@link #submit} and {@link #abort} may be called from any thread; they hop onto the engine's loop. The
 * {@link SequenceListener} of each sequence is called on that loop.
 */
public final class LlmEngine {
  static final long MAX_CATCH_UP_MILLIS = 20;

  /** Whether a step is under way. */
  private enum Loop { IDLE, STEPPING, CLOSED }

  private final EngineOptions options;
  private final EventExecutor executor;
  private final Ticker ticker;
  private final EngineStats stats = new EngineStats();
  private final BatchScheduler scheduler;
  private final Runnable endStep = this::endStep;
  private Loop loop = Loop.IDLE;
  /** When the step under way is due to end, on the engine's ticker. */
  private long stepEndNanos;

  /** An engine stepping on {@code executor}, timed by the executor's own ticker (fake in tests). */
  public LlmEngine(EngineOptions options, EventExecutor executor) {
    this.options = Objects.requireNonNull(options, "options");
    this.executor = Objects.requireNonNull(executor, "executor");
    this.ticker = Tickers.of(executor);
    this.scheduler = new BatchScheduler(options, new LengthSampler(options), stats);
  }

  public EngineOptions options() {
    return options;
  }

  public EngineStats stats() {
    return stats;
  }

  /** Queues the sequence; its listener hears {@code onRejected} if the engine refuses it. */
  public void submit(Sequence seq) {
    onLoop(() -> {
      if (loop == Loop.CLOSED) {
        return;
      }
      BatchScheduler.Offer offer = scheduler.offer(seq, ticker.nanoTime());
      switch (offer) {
        case ACCEPTED -> {
          if (loop == Loop.IDLE) {
            nextStep();
          }
        }
        case QUEUE_FULL -> seq.listener.onRejected(seq, SequenceListener.Rejection.QUEUE_FULL);
        case TOO_LONG -> seq.listener.onRejected(seq, SequenceListener.Rejection.TOO_LONG);
      }
    });
  }

  /** The client went away: frees the sequence's slot and KV cache (or queue place), as vLLM aborts it. */
  public void abort(Sequence seq) {
    onLoop(() -> scheduler.abort(seq));
  }

  /** Stops stepping; pending sequences get nothing more. */
  public void close() {
    onLoop(() -> loop = Loop.CLOSED);
  }

  private void nextStep() {
    long nanos = scheduler.planStep();
    long now = ticker.nanoTime();
    if (nanos < 0) {
      loop = Loop.IDLE;
      return;
    }
    long start = now;
    if (loop == Loop.STEPPING) {
      long lag = now - stepEndNanos;
      start = lag > TimeUnit.MILLISECONDS.toNanos(MAX_CATCH_UP_MILLIS) ? now : stepEndNanos;
    }
    loop = Loop.STEPPING;
    stepEndNanos = start + nanos;
    executor.schedule(endStep, Math.max(0, stepEndNanos - now), TimeUnit.NANOSECONDS);
  }

  private void endStep() {
    if (loop == Loop.CLOSED) {
      return;
    }
    scheduler.completeStep(ticker.nanoTime());
    nextStep();
  }

  private void onLoop(Runnable task) {
    if (executor.inEventLoop()) {
      task.run();
    } else {
      executor.execute(task);
    }
  }
}
