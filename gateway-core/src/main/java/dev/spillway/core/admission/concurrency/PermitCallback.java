package dev.spillway.core.admission.concurrency;

import dev.spillway.core.admission.ShedReason;

/**
 * How {@link BackendAdmission#acquire} answers. Exactly one method is called, once, on the executor given to
 * {@code acquire} (unless the {@link Waiter} was cancelled first).
 */
public interface PermitCallback {

  /** A slot is held: forward the request, then complete {@code permit} exactly once. */
  void onPermit(Permit permit);

  /**
   * The request was turned away.
   *
   * @param retryAfterNanos an estimate of when capacity frees up; the caller adds jitter before sending it
   *     as {@code Retry-After}
   */
  void onShed(ShedReason reason, long retryAfterNanos);
}
