package dev.spillway.core.retry;

import dev.spillway.core.attempt.AttemptOutcome;

/** Why a failed attempt is not retried; each carries a short tag for metrics. */
public enum NoRetryReason {
  /** Part of the response already went to the client: it cannot be taken back. */
  RESPONSE_STARTED("response_started"),
  /** The request body is not fully held (still streaming, or larger than {@code maxReplayableBody}). */
  BODY_NOT_REPLAYABLE("body_not_replayable"),
  /** A retry would not help, or would double work the backend may still be doing ({@link AttemptOutcome}). */
  NOT_RETRYABLE("not_retryable"),
  /** This was attempt {@code maxAttempts}. */
  ATTEMPTS_EXHAUSTED("attempts_exhausted"),
  /** The backend asked for a wait ({@code Retry-After}) longer than {@code backoff.max}. */
  RETRY_AFTER_TOO_LONG("retry_after_too_long"),
  /** The route's retry budget is spent: retries must not multiply the load of a failing fleet. */
  BUDGET_EXHAUSTED("budget_exhausted");

  private final String tag;

  NoRetryReason(String tag) {
    this.tag = tag;
  }

  /** A short lower-case name for metrics and logs. */
  public String tag() {
    return tag;
  }
}
