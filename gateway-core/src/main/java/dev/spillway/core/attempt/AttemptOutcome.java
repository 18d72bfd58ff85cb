package dev.spillway.core.attempt;

import dev.spillway.core.http.GatewayError;

/**
 * How one attempt of a request on one backend endpoint ended: the single classification that retries
 * ({@code RetryPolicy}, {@code RouteRetries}, {@code RetryBudget}), the endpoint's circuit breaker and outlier
 * ejection, and the backend's concurrency permit all read. Each outcome carries four properties:
 *
 * <ul>
 *   <li>{@link #reachedBackend()}: the request (at least its head) is known to have reached the backend, which
 *       may have done or started the work;</li>
 *   <li>{@link #overloadEvidence()}: the backend told us, or showed us, that it is overloaded: a {@code 429},
 *       {@code 503} or {@code 529} answer, or a timeout after the request was sent. Only these shrink an
 *       adaptive concurrency limit. Our own connection pool being full, open breakers, a refused connect, a
 *       reset, 4xx and other 5xx answers say nothing about the backend's congestion and never do;</li>
 *   <li>{@link #retryable()}: a retry on another endpoint may succeed, and replaying does not double work the
 *       backend may still be doing;</li>
 *   <li>{@link #countsForBreaker()}: the endpoint is at fault, so the outcome counts as a failure against its
 *       circuit breaker and towards its outlier ejection.</li>
 * </ul>
 *
 * From these follow the permit's completion ({@link #permitCompletion()}) and the endpoint's verdict
 * ({@link #endpointVerdict()}); nothing else in the gateway judges how an attempt ended.
 */
public enum AttemptOutcome {
  /** The backend answered 1xx-3xx and the response ended cleanly: a latency sample for the limit. */
  SUCCESS("success", true, false, false, false),
  /** The backend answered a 4xx other than 429: a working backend refusing this request. */
  CLIENT_ERROR("status_4xx", true, false, false, false),
  /** The backend answered {@code 429 Too Many Requests}: its own limit is reached. */
  STATUS_429("status_429", true, true, true, false),
  /** The backend answered {@code 502 Bad Gateway}: something in front of the model is broken. */
  STATUS_502("status_502", true, false, true, true),
  /** The backend answered {@code 503 Service Unavailable}: overloaded or not ready. */
  STATUS_503("status_503", true, true, true, true),
  /** The backend answered {@code 529} (overloaded, as some providers say it). */
  STATUS_529("status_529", true, true, true, true),
  /** Any other 5xx answer ({@code 500}, {@code 504}, ...): the backend did (or tried) the work. */
  STATUS_OTHER("status_other", true, false, false, true),
  /** The TCP connect was refused or failed: the request never left the gateway. */
  CONNECT_FAILED("connect_failed", false, false, true, true),
  /** The TCP connect took longer than {@code connectTimeout}: the request never left the gateway. */
  CONNECT_TIMEOUT("connect_timeout", false, false, true, true),
  /** Every pooled connection to the endpoint was busy: our own limit, the endpoint was never asked. */
  POOL_EXHAUSTED("pool_exhausted", false, false, true, false),
  /** No endpoint of the tier could be used (every breaker open, ejected or cooling down). */
  NO_ENDPOINT("no_endpoint", false, false, false, false),
  /** The backend closed or reset the connection before a complete response. */
  RESET("reset", true, false, true, true),
  /** The backend sent something that is not HTTP. */
  PROTOCOL_ERROR("protocol_error", true, false, false, true),
  /**
   * A streamed response sent no content event within {@code stream.firstTokenTimeout}; the client has seen
   * nothing yet, and closing the attempt's connection stops the work.
   */
  FIRST_TOKEN_TIMEOUT("first_token_timeout", true, true, true, true),
  /**
   * A held stream's first event was an error (an {@code error} object or event) before any content: the client
   * has seen nothing yet, and the backend gave up before doing the work, so another endpoint may serve it.
   */
  STREAM_ERROR_BEFORE_CONTENT("stream_error", true, false, true, true),
  /** The backend took the request and did not answer in time (response, idle or total timeout). */
  TIMEOUT("timeout", true, true, false, true),
  /**
   * The attempt was ended for a reason that says nothing about the backend: the client went away or sent a
   * bad body, the gateway moved on (a retry, the exchange ending), or a tier turned out to be full.
   */
  CANCELLED("cancelled", false, false, false, false);

  /** What an attempt's outcome does to the backend's concurrency permit. */
  public enum PermitCompletion {
    /** A clean answer: feeds its latency to the limit ({@code Permit.onSuccess}). */
    SUCCESS,
    /** Overload evidence: shrinks the limit ({@code Permit.onDropped}). */
    DROPPED,
    /** Says nothing about congestion: the slot is freed, nothing counted ({@code Permit.onIgnore}). */
    IGNORE
  }

  /** What an attempt's outcome does to the endpoint's circuit breaker and outlier ejection. */
  public enum EndpointVerdict {
    /** The endpoint works: a success for the breaker (its latency counts towards the slow-call rate). */
    SUCCESS,
    /** The endpoint is at fault: a failure for the breaker and towards ejection. */
    FAILURE,
    /** Says nothing about the endpoint: the breaker permission is released, nothing counted. */
    NEUTRAL
  }

  private final String tag;
  private final boolean reachedBackend;
  private final boolean overloadEvidence;
  private final boolean retryable;
  private final boolean countsForBreaker;

  AttemptOutcome(String tag, boolean reachedBackend, boolean overloadEvidence, boolean retryable,
      boolean countsForBreaker) {
    this.tag = tag;
    this.reachedBackend = reachedBackend;
    this.overloadEvidence = overloadEvidence;
    this.retryable = retryable;
    this.countsForBreaker = countsForBreaker;
  }

  /** A short lower-case name for metrics and logs. */
  public String tag() {
    return tag;
  }

  /** Whether the request is known to have reached the backend. */
  public boolean reachedBackend() {
    return reachedBackend;
  }

  /** Whether this is evidence that the backend is overloaded (and only then shrinks the limit). */
  public boolean overloadEvidence() {
    return overloadEvidence;
  }

  /** Whether a retry on another endpoint may succeed where this attempt failed. */
  public boolean retryable() {
    return retryable;
  }

  /** Whether this counts against the endpoint's circuit breaker and towards its outlier ejection. */
  public boolean countsForBreaker() {
    return countsForBreaker;
  }

  /** Overload evidence drops, a clean answer is a sample, everything else is ignored. */
  public PermitCompletion permitCompletion() {
    if (overloadEvidence) {
      return PermitCompletion.DROPPED;
    }
    return this == SUCCESS ? PermitCompletion.SUCCESS : PermitCompletion.IGNORE;
  }

  /** The breaker's verdict: a fault counts against the endpoint, an answer it meant to give for it. */
  public EndpointVerdict endpointVerdict() {
    if (countsForBreaker) {
      return EndpointVerdict.FAILURE;
    }
    return this == SUCCESS || this == CLIENT_ERROR ? EndpointVerdict.SUCCESS : EndpointVerdict.NEUTRAL;
  }

  /** The outcome of a response that ended cleanly with {@code status}. */
  public static AttemptOutcome ofStatus(int status) {
    if (status < 400) {
      return SUCCESS;
    }
    return switch (status) {
      case 429 -> STATUS_429;
      case 502 -> STATUS_502;
      case 503 -> STATUS_503;
      case 529 -> STATUS_529;
      default -> status >= 500 ? STATUS_OTHER : CLIENT_ERROR;
    };
  }

  /**
   * The outcome of an attempt cut short by the error that ended its exchange: the backend's timeouts are
   * overload evidence, its failures are its fault, and everything else (the client's errors, a client that
   * left, the gateway's own limits) says nothing about the backend.
   *
   * @param error the error, or {@code null} when the client went away or the gateway moved on
   * @param requestSent whether the attempt had sent the request: a timeout before that is the gateway giving
   *     up on its own, not evidence about the backend
   */
  public static AttemptOutcome ofError(GatewayError error, boolean requestSent) {
    if (error == null) {
      return CANCELLED;
    }
    return switch (error) {
      case UPSTREAM_CONNECT_FAILED -> CONNECT_FAILED;
      case UPSTREAM_CONNECT_TIMEOUT -> CONNECT_TIMEOUT;
      case UPSTREAM_POOL_EXHAUSTED -> POOL_EXHAUSTED;
      case UPSTREAM_RESET -> RESET;
      case UPSTREAM_PROTOCOL_ERROR -> PROTOCOL_ERROR;
      case UPSTREAM_RESPONSE_TIMEOUT, UPSTREAM_IDLE_TIMEOUT, REQUEST_DEADLINE_EXCEEDED ->
          requestSent ? TIMEOUT : CANCELLED;
      case NO_AVAILABLE_ENDPOINT -> NO_ENDPOINT;
      default -> CANCELLED;
    };
  }
}
