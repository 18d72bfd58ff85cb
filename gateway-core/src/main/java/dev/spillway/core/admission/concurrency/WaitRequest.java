package dev.spillway.core.admission.concurrency;

import dev.spillway.core.config.PriorityClass;
import java.util.Objects;

/**
 * One request asking {@link BackendAdmission} for a slot.
 *
 * @param priority the tenant's class (from its tier); lower classes are shed first
 * @param tenantKey {@link dev.spillway.core.admission.Tenant#key()}: the waiting room queues fairly across these
 * @param retry whether the client says this is a retry ({@code X-Stainless-Retry-Count > 0}); retries are
 *     displaced before, and served after, first attempts of the same class
 * @param deadlineNanos the client's own deadline ({@code X-Stainless-Timeout}, {@code x-spillway-deadline-ms}),
 *     absolute in the admission's {@link dev.spillway.core.time.Ticker} time, or {@link #NO_DEADLINE}. It is
 *     not the waiting room's {@code maxWait}, which the room applies itself.
 * @param requestBytes the request body's size (its {@code Content-Length}), or -1 when unknown: how long its
 *     prompt takes to compute ({@link PrefillGate})
 */
public record WaitRequest(PriorityClass priority, String tenantKey, boolean retry, long deadlineNanos,
                          long requestBytes) {
  /** {@link #deadlineNanos} of a client that gave none. */
  public static final long NO_DEADLINE = Long.MIN_VALUE;

  public WaitRequest {
    Objects.requireNonNull(priority, "priority");
    Objects.requireNonNull(tenantKey, "tenantKey");
  }

  /** A request of unknown size. */
  public WaitRequest(PriorityClass priority, String tenantKey, boolean retry, long deadlineNanos) {
    this(priority, tenantKey, retry, deadlineNanos, -1);
  }

  /** A request whose client gave no deadline. */
  public static WaitRequest withoutDeadline(PriorityClass priority, String tenantKey, boolean retry) {
    return new WaitRequest(priority, tenantKey, retry, NO_DEADLINE);
  }

  public boolean hasDeadline() {
    return deadlineNanos != NO_DEADLINE;
  }
}
