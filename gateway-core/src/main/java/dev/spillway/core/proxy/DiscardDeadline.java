package dev.spillway.core.proxy;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * How long an HTTP/1.1 connection waits for the rest of a request body it already answered (so it can read the
 * next request after it): started once per early answer, cancelled when the body ends or the connection closes.
 * A client that announced a body and does not send it does not hold the connection beyond it. Event loop only.
 */
final class DiscardDeadline {
  private final EventExecutor executor;
  private final Runnable onExpired;
  private ScheduledFuture<?> timer;

  DiscardDeadline(EventExecutor executor, Runnable onExpired) {
    this.executor = executor;
    this.onExpired = onExpired;
  }

  /** Starts the deadline unless it already runs. */
  void start(long timeoutNanos) {
    if (timer == null) {
      timer = executor.schedule(() -> {
        timer = null;
        onExpired.run();
      }, timeoutNanos, TimeUnit.NANOSECONDS);
    }
  }

  void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
