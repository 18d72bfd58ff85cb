package dev.spillway.core.upstream.resilience;

/**
 * Why an attempt on an endpoint failed. Each counts against the endpoint's circuit breaker and towards its
 * outlier ejection. A client that cancels is not a failure of the endpoint: use
 * {@link EndpointAttempt#onCancelled()} for that.
 */
public enum FailureKind {
  /** The TCP connect was refused or could not be made. */
  CONNECT_ERROR,
  /** The connection was reset or closed before a complete response. */
  RESET,
  /** Connect, response, idle or request timeout. */
  TIMEOUT,
  /** The endpoint answered with a 5xx status. */
  SERVER_ERROR,
  /** The endpoint sent something that is not HTTP. */
  PROTOCOL_ERROR;

  /**
   * Resilience4j records failures as throwables; one stackless instance per kind keeps failing cheap.
   */
  private final EndpointFailure failure = new EndpointFailure(this);

  EndpointFailure failure() {
    return failure;
  }

  /** The throwable handed to the breaker for a failure; carries no stack trace. */
  static final class EndpointFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    EndpointFailure(FailureKind kind) {
      super(kind.name(), null, false, false);
    }
  }
}
