package dev.spillway.core.upstream.resilience;

import dev.spillway.core.attempt.AttemptOutcome;

/**
 * The throwable handed to the Resilience4j breaker for a failed attempt: it records failures as throwables.
 * One stackless instance per {@link AttemptOutcome} keeps failing cheap.
 */
final class EndpointFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private static final EndpointFailure[] BY_OUTCOME = new EndpointFailure[AttemptOutcome.values().length];

  static {
    for (AttemptOutcome o : AttemptOutcome.values()) {
      BY_OUTCOME[o.ordinal()] = new EndpointFailure(o);
    }
  }

  private EndpointFailure(AttemptOutcome outcome) {
    super(outcome.tag(), null, false, false);
  }

  static EndpointFailure of(AttemptOutcome outcome) {
    return BY_OUTCOME[outcome.ordinal()];
  }
}
