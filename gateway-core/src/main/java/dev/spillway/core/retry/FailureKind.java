package dev.spillway.core.retry;

/**
 * How an attempt to a backend endpoint failed, as far as retrying is concerned. Each kind says whether a
 * retry on another endpoint may help: the request never reached a backend, or the endpoint turned it away
 * (overloaded, rate limited, broken in front of the model) before doing the work. Kinds where the backend
 * took the request and may still be working on it are not retried, since a replay would double the load on
 * a fleet that is already slow.
 */
public enum FailureKind {
  /** The TCP connect was refused or failed: the request never left the gateway. */
  CONNECT_FAILED(true, "connect_failed"),
  /** The TCP connect took longer than {@code connectTimeout}: the request never left the gateway. */
  CONNECT_TIMEOUT(true, "connect_timeout"),
  /** Every pooled connection to the endpoint was busy: the request never left the gateway. */
  POOL_EXHAUSTED(true, "pool_exhausted"),
  /** The backend closed or reset the connection before a complete response head. */
  RESET_BEFORE_RESPONSE(true, "reset"),
  /** The endpoint answered {@code 429 Too Many Requests}: its own limit, not necessarily another's. */
  STATUS_429(true, "status_429"),
  /** The endpoint answered {@code 502 Bad Gateway}. */
  STATUS_502(true, "status_502"),
  /** The endpoint answered {@code 503 Service Unavailable}. */
  STATUS_503(true, "status_503"),
  /**
   * A streamed response sent no content event within {@code stream.firstTokenTimeout}; the client has seen
   * nothing yet (the gateway held the response back), and closing the attempt's connection stops the work.
   */
  FIRST_TOKEN_TIMEOUT(true, "first_token_timeout"),
  /**
   * A held stream's first event was an error (e.g. {@code {"error":...}} or {@code type: error}); the client has
   * seen nothing yet, and the backend gave up before doing the work.
   */
  STREAM_ERROR_BEFORE_CONTENT(true, "stream_error"),
  /** The backend took the request and did not answer in time (response, idle or total timeout). */
  TIMEOUT(false, "timeout"),
  /** The backend sent something that is not HTTP. */
  PROTOCOL_ERROR(false, "protocol_error"),
  /** Any other 5xx answer ({@code 500}, {@code 504}, ...): the backend did (or tried) the work. */
  STATUS_OTHER(false, "status_other");

  private final boolean retryable;
  private final String tag;

  FailureKind(boolean retryable, String tag) {
    this.retryable = retryable;
    this.tag = tag;
  }

  /** Whether a retry on another endpoint may succeed where this attempt failed. */
  public boolean retryable() {
    return retryable;
  }

  /** A short lower-case name for metrics and logs. */
  public String tag() {
    return tag;
  }

  /**
   * The kind of a backend answer with this status, or {@code null} when the answer is not a failure to
   * retry (2xx, 3xx, 4xx other than 429) and goes to the client as it is.
   */
  public static FailureKind ofStatus(int status) {
    return switch (status) {
      case 429 -> STATUS_429;
      case 502 -> STATUS_502;
      case 503 -> STATUS_503;
      default -> status >= 500 && status <= 599 ? STATUS_OTHER : null;
    };
  }
}
