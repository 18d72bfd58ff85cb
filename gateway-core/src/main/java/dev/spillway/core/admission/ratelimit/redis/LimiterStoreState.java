package dev.spillway.core.admission.ratelimit.redis;

/** The health of the shared limiter store, as this instance sees it. */
public enum LimiterStoreState {
  /** Not connected yet (or connecting again after the connection could not be made). */
  CONNECTING,
  /** Redis answers within its deadline: limits are shared. */
  UP,
  /** Redis calls fail or miss their deadline (the breaker is open): limits follow their failure policy. */
  DEGRADED
}
