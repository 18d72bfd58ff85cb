package dev.spillway.core.proxy;

import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.StreamConfig;
import dev.spillway.core.http.GatewayError;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The one owner of the exchange's own timers, on its event loop: the three backend-side deadlines, and the
 * heartbeats of an event stream (the {@link Forwarder}'s retry backoff and first-token hold belong to its
 * attempts, and end with them). The deadlines:
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
 *
 * <p>{@link #cancelAll} stops every one of them, heartbeats included: the exchange calls it once it ends.
 */
final class ExchangeTimers {
  private static final long NONE = Long.MAX_VALUE;

  private final ChannelHandlerContext ctx;
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
  /** Keep-alive comments during backend silences, or {@code null}: only for event streams, and if configured. */
  private StreamHeartbeat heartbeat;

  /** Tells the idle check whether the exchange is currently waiting on the backend. */
  interface IdleProbe {
    boolean waitingOnBackend();
  }

  /** @param ctx the client side: its event loop runs the timers, and heartbeats are written to it */
  ExchangeTimers(ChannelHandlerContext ctx, BackendConfig config, Consumer<GatewayError> onTimeout,
      IdleProbe idleProbe) {
    this.ctx = ctx;
    this.executor = ctx.executor();
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
   * The response is an event stream: from now on silence is judged by the route's {@code stream.idleTimeout}
   * and the whole exchange by its {@code stream.totalTimeout} from its start, not by the backend's request
   * limits; and with {@code stream.heartbeats}, a keep-alive comment goes out after every
   * {@code stream.heartbeatInterval} of backend silence.
   */
  void useStreamSettings(StreamConfig stream) {
    long streamTotalNanos = stream.totalTimeout().toNanos();
    idleNanos = stream.idleTimeout().toNanos();
    totalDeadline = streamTotalNanos > 0 ? startNanos + streamTotalNanos : NONE;
    if (task != null) {
      // Re-arm for the new deadlines (they may be earlier than the one the task waits for).
      task.cancel(false);
      task = null;
    }
    arm();
    if (stream.heartbeats()) {
      heartbeat = new StreamHeartbeat(ctx, stream.heartbeatInterval().toNanos());
      heartbeat.start();
    }
  }

  /** Response bytes on their way to the client: a heartbeat waits for silence, and for an event boundary. */
  void responseData(ByteBuf bytes) {
    if (heartbeat != null) {
      heartbeat.onData(bytes);
    }
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
    if (heartbeat != null) {
      heartbeat.stop();
      heartbeat = null;
    }
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
