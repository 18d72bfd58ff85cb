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
 * @param deadlineNanos absolute, in the admission's {@link dev.spillway.core.time.Ticker} time: the sooner of
 *     the client's own deadline ({@code X-Stainless-Timeout}) and now + maxWait
 */
public record WaitRequest(PriorityClass priority, String tenantKey, boolean retry, long deadlineNanos) {

  public WaitRequest {
    Objects.requireNonNull(priority, "priority");
    Objects.requireNonNull(tenantKey, "tenantKey");
  }
}
