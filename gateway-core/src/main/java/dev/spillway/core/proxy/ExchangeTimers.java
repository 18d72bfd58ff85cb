package dev.spillway.core.proxy;

import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.http.GatewayError;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The three backend-side deadlines of one exchange, on its event loop:
 * <ul>
 *   <li>total: {@code requestTimeout} from the request head, streams included;
 *   <li>response: {@code responseTimeout} from the request being fully sent to the response head;
 *   <li>idle: {@code idleTimeout} of no progress while the exchange waits on the backend (a stalled upload or
 *       silence between response chunks).
 * </ul>
 * One scheduled task serves all three: deadlines and progress are plain timestamps, and the task, when it
 * fires, checks them and re-arms itself for the earliest one left. Recording progress or starting a deadline
 * therefore costs no scheduling, and a request costs one timer on the event loop's heap instead of three
 * (the heap showed up at the top of a CPU profile under load).
 */
final class ExchangeTimers {
  private static final long NONE = Long.MAX_VALUE;

  private final EventExecutor executor;
  private final long responseNanos;
  private long idleNanos;
  private final Consumer<GatewayError> onTimeout;
  private final IdleProbe idleProbe;
  private final long startNanos;
  private long totalDeadline;
  private long responseDeadline = NONE;
  /** The response deadline was met (or given up): it never starts again for this exchange. */
  private boolean responseDone;
  private boolean idleActive;
  private long lastProgressNanos;
  private ScheduledFuture<?> task;
  private long taskDeadline;

  /** Tells the idle check whether the exchange is currently waiting on the backend. */
  interface IdleProbe {
    boolean waitingOnBackend();
  }

  ExchangeTimers(EventExecutor executor, BackendConfig config, Consumer<GatewayError> onTimeout,
      IdleProbe idleProbe) {
    this.executor = executor;
    this.responseNanos = config.responseTimeout().toNanos();
    this.idleNanos = config.idleTimeout().toNanos();
    this.onTimeout = onTimeout;
    this.idleProbe = idleProbe;
    long total = config.requestTimeout().toNanos();
    this.startNanos = now();
    this.totalDeadline = total > 0 ? startNanos + total : NONE;
  }

  /** Arms the total deadline now (otherwise it is armed with the first backend deadline). */
  void startTotal() {
    arm();
  }

  /** The request is fully sent: the backend now owes us a response head. */
  void startResponse() {
    if (!responseDone && responseDeadline == NONE) {
      responseDeadline = now() + responseNanos;
      arm();
    }
  }

  /**
   * The response is an event stream: from now on silence is judged by {@code streamIdleNanos} and the
   * whole exchange by {@code streamTotalNanos} from its start (the route's {@code stream} settings), not by
   * the backend's request limits.
   */
  void useStreamLimits(long streamIdleNanos, long streamTotalNanos) {
    idleNanos = streamIdleNanos;
    totalDeadline = streamTotalNanos > 0 ? startNanos + streamTotalNanos : NONE;
    if (task != null) {
      // Re-arm for the new deadlines (they may be earlier than the one the task waits for).
      task.cancel(false);
      task = null;
    }
    arm();
  }

  /** A new attempt begins: its response deadline starts afresh when its request is sent. */
  void newAttempt() {
    responseDone = false;
    responseDeadline = NONE;
  }

  void responseHeadReceived() {
    responseDone = true;
    responseDeadline = NONE;
    progress();
  }

  /** Starts idle tracking once a backend connection is attached. */
  void startIdle() {
    lastProgressNanos = now();
    idleActive = true;
    arm();
  }

  void progress() {
    lastProgressNanos = now();
  }

  private long nextDeadline() {
    long next = totalDeadline;
    if (responseDeadline != NONE && (next == NONE || responseDeadline - next < 0)) {
      next = responseDeadline;
    }
    if (idleActive) {
      long idle = lastProgressNanos + idleNanos;
      if (next == NONE || idle - next < 0) {
        next = idle;
      }
    }
    return next;
  }

  private void arm() {
    long next = nextDeadline();
    if (next == NONE) {
      return;
    }
    if (task != null) {
      if (next - taskDeadline >= 0) {
        return; // the task already fires earlier and will re-arm for this one
      }
      task.cancel(false);
    }
    taskDeadline = next;
    task = executor.schedule(this::check, Math.max(0, next - now()), TimeUnit.NANOSECONDS);
  }

  private void check() {
    task = null;
    long now = now();
    if (totalDeadline != NONE && now - totalDeadline >= 0) {
      fire(GatewayError.REQUEST_DEADLINE_EXCEEDED);
      return;
    }
    if (responseDeadline != NONE && now - responseDeadline >= 0) {
      fire(GatewayError.UPSTREAM_RESPONSE_TIMEOUT);
      return;
    }
    if (idleActive) {
      if (!idleProbe.waitingOnBackend()) {
        lastProgressNanos = now;
      } else if (now - lastProgressNanos >= idleNanos) {
        fire(GatewayError.UPSTREAM_IDLE_TIMEOUT);
        return;
      }
    }
    arm();
  }

  private void fire(GatewayError error) {
    cancelAll();
    onTimeout.accept(error);
  }

  void cancelAll() {
    idleActive = false;
    responseDone = true;
    responseDeadline = NONE;
    if (task != null) {
      task.cancel(false);
      task = null;
    }
  }

  private long now() {
    return executor.ticker().nanoTime();
  }
}
