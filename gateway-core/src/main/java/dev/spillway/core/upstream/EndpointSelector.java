package dev.spillway.core.upstream;

/**
 * Chooses the endpoint of a backend for the next request. This is the seam for balancing, breakers, health and
 * failover: an implementation may skip endpoints it considers unavailable.
 */
public interface EndpointSelector {

  /** The endpoint for the next request, or {@code null} when none is available. */
  Endpoint select();
}
