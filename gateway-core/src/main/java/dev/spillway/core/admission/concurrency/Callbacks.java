package dev.spillway.core.admission.concurrency;

import dev.spillway.core.admission.ShedReason;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link PermitCallback}s so that a failing one never breaks admission: a callback that throws is logged
 * and, if it was handed a permit, the permit is released (it would otherwise hold its slot forever).
 */
final class Callbacks {
  private static final Logger log = LoggerFactory.getLogger(Callbacks.class);

  private Callbacks() {}

  /** Delivers a permit granted on the caller's thread: inline on the executor's own thread, else posted to it. */
  static void permitNow(EventExecutor executor, PermitCallback callback, Permit permit) {
    if (executor.inEventLoop()) {
      permit(callback, permit);
      return;
    }
    try {
      executor.execute(() -> permit(callback, permit));
    } catch (RejectedExecutionException e) {
      permit.onIgnore();
    }
  }

  /** Delivers a shed decided on the caller's thread: inline on the executor's own thread, else posted to it. */
  static void shedNow(EventExecutor executor, PermitCallback callback, ShedReason reason, long retryAfterNanos) {
    if (executor.inEventLoop()) {
      shed(callback, reason, retryAfterNanos);
      return;
    }
    try {
      executor.execute(() -> shed(callback, reason, retryAfterNanos));
    } catch (RejectedExecutionException e) {
      // The client's event loop is gone, and the client with it: nobody to tell.
    }
  }

  static void permit(PermitCallback callback, Permit permit) {
    try {
      callback.onPermit(permit);
    } catch (Throwable t) {
      log.warn("PermitCallback.onPermit threw; releasing its permit", t);
      permit.onIgnore();
    }
  }

  static void shed(PermitCallback callback, ShedReason reason, long retryAfterNanos) {
    try {
      callback.onShed(reason, retryAfterNanos);
    } catch (Throwable t) {
      log.warn("PermitCallback.onShed threw", t);
    }
  }
}
