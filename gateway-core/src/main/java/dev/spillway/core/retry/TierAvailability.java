package dev.spillway.core.retry;

/**
 * Whether a backend can take a request right now: at least one of its endpoints is not open (breaker),
 * ejected (outlier detection), cooling down, or at its concurrency cap. Implemented by the endpoint
 * health layer; {@link TierPlan} only asks.
 *
 * <p>Called on the request path for every failover tier in order until one answers yes: implementations must
 * be cheap, non-blocking and thread-safe.
 */
@FunctionalInterface
public interface TierAvailability {
  /** Whether the backend named {@code backend} has an endpoint that can take a request now. */
  boolean hasAvailableEndpoint(String backend);
}
