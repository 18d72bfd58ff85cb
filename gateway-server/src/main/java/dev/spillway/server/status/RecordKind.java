package dev.spillway.server.status;

import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.observe.ExchangeRecord;
import dev.spillway.core.observe.Outcome;

/**
 * How the status tracker counts a finished request. Shedding for capacity is the service's state; rate limits
 * and unknown keys are the caller's doing and never make a component look at capacity; client errors (4xx the
 * gateway answered itself) and client disconnects are nobody's failure.
 */
enum RecordKind {
  SERVED,
  ERROR,
  SHED,
  REFUSED,
  CLIENT;

  static RecordKind of(ExchangeRecord r) {
    Outcome outcome = r.outcome();
    if (outcome == Outcome.SHED) {
      ShedReason reason = r.shedReason();
      return reason == null || reason.isRateLimit() || reason == ShedReason.UNKNOWN_KEY ? REFUSED : SHED;
    }
    if (outcome == Outcome.ABORTED) {
      return ERROR;
    }
    if (outcome == Outcome.GATEWAY_ERROR) {
      return r.status() >= 500 ? ERROR : CLIENT;
    }
    if (outcome == Outcome.CLIENT_CLOSED) {
      return CLIENT;
    }
    return r.status() >= 500 ? ERROR : SERVED;
  }
}
