package dev.spillway.server.status;

/**
 * One route's or backend's state, as {@code /status} shows it.
 *
 * @param kind {@code route} or {@code backend}
 * @param name its configured name
 * @param assessment state, reason, and the numbers they came from
 * @param limit the backend's concurrency limit, or -1 when unlimited (or a route)
 * @param inFlight requests holding a permit now, or -1
 * @param queued requests in the waiting room now, or -1
 * @param maxQueue the waiting room's size, or -1
 * @param overflowed a route's requests that overflowed to a fallback backend since the start
 * @param fallback the fallback backend a route is answered by now (most answers in the last seconds came from
 *     a fallback), or {@code null} while its primary answers
 * @param endpoints a backend's endpoint availability, or {@link EndpointAvailability#NOT_APPLICABLE}
 */
public record ComponentStatus(String kind, String name, Assessment assessment, int limit, int inFlight, int queued,
    int maxQueue, long overflowed, String fallback, EndpointAvailability endpoints) {

  /** A component nothing overflowed from. */
  public ComponentStatus(String kind, String name, Assessment assessment, int limit, int inFlight, int queued,
      int maxQueue) {
    this(kind, name, assessment, limit, inFlight, queued, maxQueue, 0, null, EndpointAvailability.NOT_APPLICABLE);
  }

  public ComponentState state() {
    return assessment.state();
  }
}
