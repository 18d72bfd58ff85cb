package dev.spillway.core.proxy;

import dev.spillway.core.overload.OverloadManager;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The client timeout of one connection: fires when the client is the one keeping the gateway waiting (idle
 * between requests, silent inside a request body) for longer than {@code server.clientTimeout}, or the overload
 * manager's shorter timeout while memory is under pressure. Time spent waiting on the backend does not count.
 *
 * <p>The timer wakes at least every {@code server.overload.shortClientTimeout}, so a timeout shortened under
 * pressure applies to connections that were already idle. Event loop only.
 */
final class ClientTimeout {
  private final EventExecutor executor;
  private final long baseNanos;
  private final long recheckNanos;
  private final OverloadManager overload;
  private final BooleanSupplier waitingOnClient;
  private final Runnable onExpired;
  private long lastProgressNanos;
  private ScheduledFuture<?> timer;

  /**
   * @param waitingOnClient whether the client is what the connection waits for now
   * @param onExpired runs once the client kept it waiting too long (the timer then stops)
   */
  ClientTimeout(EventExecutor executor, long baseNanos, OverloadManager overload, BooleanSupplier waitingOnClient,
      Runnable onExpired) {
    this.executor = executor;
    this.baseNanos = baseNanos;
    this.overload = overload;
    this.recheckNanos = overload.config().shortClientTimeout().toNanos();
    this.waitingOnClient = waitingOnClient;
    this.onExpired = onExpired;
  }

  void start() {
    progress();
    schedule(Math.min(timeoutNanos(), recheckNanos));
  }

  /** The client did something (sent bytes, or the wait on it began afresh). */
  void progress() {
    lastProgressNanos = now();
  }

  /** The timeout that applies now. */
  long timeoutNanos() {
    return overload.clientTimeoutNanos(baseNanos);
  }

  void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void onTimer() {
    timer = null;
    long timeout = timeoutNanos();
    if (!waitingOnClient.getAsBoolean()) {
      progress();
      schedule(Math.min(timeout, recheckNanos));
      return;
    }
    long idle = now() - lastProgressNanos;
    if (idle < timeout) {
      schedule(Math.min(timeout - idle, recheckNanos));
      return;
    }
    onExpired.run();
  }

  private void schedule(long delayNanos) {
    timer = executor.schedule(this::onTimer, delayNanos, TimeUnit.NANOSECONDS);
  }

  private long now() {
    return executor.ticker().nanoTime();
  }
}
