package dev.spillway.core.config;

/**
 * What a limit does while the shared limiter store (Redis) cannot be reached.
 *
 * <p>{@link #STORE_DEFAULT} is only ever the value of a limit that sets none: it means "the store's
 * {@code failure}", which is one of the three others.
 */
public enum FailurePolicy {
  /** Admit everything this limit would have judged. */
  OPEN,
  /** Reject everything this limit would have judged, with a 429 telling the client when to retry. */
  CLOSED,
  /** Enforce the limit in this instance alone, at its capacity divided by the expected number of instances. */
  LOCAL,
  /** The limit sets no policy of its own: the store's default applies. */
  STORE_DEFAULT
}
