package dev.spillway.core.proxy;

import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.http.GatewayError;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The three backend-side deadlines of one exchange, all on its event loop:
 * <ul>
 *   <li>total: {@code requestTimeout} from the request head, streams included;
 *   <li>response: {@code responseTimeout} from the request being fully sent to the response head;
 *   <li>idle: {@code idleTimeout} of no progress while the exchange waits on the backend (a stalled upload or
 *       silence between response chunks). Progress is recorded with a timestamp, and the timer re-arms itself
 *       for the remainder, so recording progress costs no scheduling.
 * </ul>
 */
final class ExchangeTimers {
  private final EventExecutor executor;
  private final long totalNanos;
  private final long responseNanos;
  private final long idleNanos;
  private final Consumer<GatewayError> onTimeout;
  private final IdleProbe idleProbe;
  private ScheduledFuture<?> total;
  private ScheduledFuture<?> response;
  private ScheduledFuture<?> idle;
  private long lastProgressNanos;

  /** Tells the idle timer whether the exchange is currently waiting on the backend. */
  interface IdleProbe {
    boolean waitingOnBackend();
  }

  ExchangeTimers(EventExecutor executor, BackendConfig config, Consumer<GatewayError> onTimeout,
      IdleProbe idleProbe) {
    this.executor = executor;
    this.totalNanos = config.requestTimeout().toNanos();
    this.responseNanos = config.responseTimeout().toNanos();
    this.idleNanos = config.idleTimeout().toNanos();
    this.onTimeout = onTimeout;
    this.idleProbe = idleProbe;
  }

  void startTotal() {
    if (totalNanos > 0) {
      total = executor.schedule(() -> fire(GatewayError.REQUEST_DEADLINE_EXCEEDED), totalNanos,
          TimeUnit.NANOSECONDS);
    }
  }

  /** The request is fully sent: the backend now owes us a response head. */
  void startResponse() {
    if (response == null) {
      response = executor.schedule(() -> fire(GatewayError.UPSTREAM_RESPONSE_TIMEOUT), responseNanos,
          TimeUnit.NANOSECONDS);
    }
  }

  void responseHeadReceived() {
    if (response != null) {
      response.cancel(false);
    }
    progress();
  }

  /** Starts idle tracking once a backend connection is attached. */
  void startIdle() {
    lastProgressNanos = now();
    if (idle == null) {
      idle = executor.schedule(this::checkIdle, idleNanos, TimeUnit.NANOSECONDS);
    }
  }

  void progress() {
    lastProgressNanos = now();
  }

  private void checkIdle() {
    idle = null;
    long quiet = now() - lastProgressNanos;
    if (!idleProbe.waitingOnBackend()) {
      lastProgressNanos = now();
      quiet = 0;
    }
    if (quiet >= idleNanos) {
      fire(GatewayError.UPSTREAM_IDLE_TIMEOUT);
    } else {
      idle = executor.schedule(this::checkIdle, idleNanos - quiet, TimeUnit.NANOSECONDS);
    }
  }

  private void fire(GatewayError error) {
    cancelAll();
    onTimeout.accept(error);
  }

  void cancelAll() {
    if (total != null) {
      total.cancel(false);
      total = null;
    }
    if (response != null) {
      response.cancel(false);
      response = null;
    }
    if (idle != null) {
      idle.cancel(false);
      idle = null;
    }
  }

  private long now() {
    return executor.ticker().nanoTime();
  }
}
