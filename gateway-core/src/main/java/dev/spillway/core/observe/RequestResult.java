package dev.spillway.core.observe;

import dev.spillway.core.admission.ShedReason;

/**
 * The one vocabulary for how a request ended, used alike by the {@code outcome} label of the Prometheus
 * metrics, the status page's counts and the access log's {@code outcome} field (docs/operations.md has the
 * table). The finer detail (which shed reason, how a stream broke) is the {@code reason}: {@link #reason}.
 */
public enum RequestResult {
  /** A backend answered (any status below 500, the backend's own 4xx included) and the client got it all. */
  SERVED("served"),
  /** The service failed the request: a backend 5xx, the gateway's 502/503/504, or a stream broken mid-way. */
  FAILED("failed"),
  /** Turned away for capacity: waiting room full, waited too long, displaced, deadline out of reach. */
  SHED("shed"),
  /** Turned away by a rate limit (429): the caller asked for more than its limits allow. */
  RATE_LIMITED("rate_limited"),
  /** Refused as the client's own error: an unknown API key, a bad request, no matching route (4xx). */
  REJECTED("rejected"),
  /** The client went away before the response ended. */
  CLIENT_CANCELLED("client_cancelled");

  private final String tag;

  RequestResult(String tag) {
    this.tag = tag;
  }

  /** The word, as metrics, JSON and logs write it. */
  public String tag() {
    return tag;
  }

  /** The word for {@code r}. */
  public static RequestResult of(ExchangeRecord r) {
    return switch (r.outcome()) {
      case SHED -> {
        ShedReason reason = r.shedReason();
        if (reason == null || reason == ShedReason.UNKNOWN_KEY) {
          yield REJECTED;
        }
        yield reason.isRateLimit() ? RATE_LIMITED : SHED;
      }
      case ABORTED -> FAILED;
      case GATEWAY_ERROR -> r.status() >= 500 ? FAILED : REJECTED;
      case CLIENT_CLOSED -> CLIENT_CANCELLED;
      case PROXIED -> r.status() >= 500 ? FAILED : SERVED;
    };
  }

  /**
   * The detail under the word: the shed reason ({@code queue_full}, {@code rate_limited_tokens}, ...) or how
   * the exchange ended ({@code proxied}, {@code gateway_error}, {@code aborted}, {@code client_closed}).
   */
  public static String reason(ExchangeRecord r) {
    return r.shedReason() != null ? r.shedReason().tag() : r.outcome().tag();
  }
}
