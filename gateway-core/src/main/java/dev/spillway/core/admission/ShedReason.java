package dev.spillway.core.admission;

/**
 * Why admission turned a request away. Each reason carries its metric tag and whether it is a rate limit
 * (429-style, the tenant's own doing) or capacity shedding (503-style, the service's state).
 */
public enum ShedReason {
  /** A request-count limit is exhausted. */
  RATE_LIMITED_REQUESTS("rate_limited_requests", true),
  /** A token limit cannot cover the request's estimate. */
  RATE_LIMITED_TOKENS("rate_limited_tokens", true),
  /** The route requires a known API key and this one belongs to no tenant (or none was sent). */
  UNKNOWN_KEY("unknown_key", false),
  /** The waiting room is full and this request ranks lowest. */
  QUEUE_FULL("queue_full", false),
  /** The request waited its maximum time (or CoDel's short timeout under persistent overload). */
  QUEUE_TIMEOUT("queue_timeout", false),
  /** The client's own deadline ({@code X-Stainless-Timeout}) would pass before the request could finish. */
  DEADLINE_UNREACHABLE("deadline", false),
  /** Pushed out of the waiting room by a request of a higher class (or a first attempt over a retry). */
  DISPLACED("displaced", false),
  /** An operator sheds a share of the request's priority class or tenant tier (an incident control). */
  OPERATOR("operator", false),
  /** An operator put the route in maintenance (an incident control). */
  MAINTENANCE("maintenance", false);

  private final String tag;
  private final boolean rateLimit;

  ShedReason(String tag, boolean rateLimit) {
    this.tag = tag;
    this.rateLimit = rateLimit;
  }

  /** Metric and log tag, lower snake case. */
  public String tag() {
    return tag;
  }

  /** A rate limit (the tenant asked for too much), as opposed to the service being at capacity. */
  public boolean isRateLimit() {
    return rateLimit;
  }
}
