package dev.spillway.server.status;

/**
 * Sums over the last seconds of one component's {@link Timeline}, counted in the outcome vocabulary of
 * {@link dev.spillway.core.observe.RequestResult} (a backend counts its attempts as served or failed).
 *
 * @param seconds how many seconds were summed
 * @param served requests (a backend: attempts) answered without a server error
 * @param failed requests (a backend: attempts) the service failed: 5xx, broken streams, connect failures
 * @param shed requests shed for capacity
 * @param rateLimited requests a rate limit turned away
 * @param rejected requests refused as the client's own error (unknown key, bad request)
 * @param clientCancelled requests the client gave up on
 * @param fallback requests a route answered from one of its fallback backends (routes only)
 * @param peakShedPerSecond the most requests shed in one of those seconds
 * @param maxQueued the deepest waiting room seen
 */
public record WindowStats(int seconds, long served, long failed, long shed, long rateLimited, long rejected,
    long clientCancelled, long fallback, long peakShedPerSecond, int maxQueued) {

  /** Nothing counted over {@code seconds}. */
  public static WindowStats empty(int seconds) {
    return new WindowStats(seconds, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  }

  /** Requests that reached admission's verdict for capacity: served, failed or shed. */
  public long total() {
    return served + failed + shed;
  }

  /** Failed share of the requests that were let through. */
  public double failedRate() {
    long through = served + failed;
    return through == 0 ? 0 : (double) failed / through;
  }

  /** Shed share of all requests. */
  public double shedRate() {
    long total = total();
    return total == 0 ? 0 : (double) shed / total;
  }

  /** Share of the answered requests that a fallback backend answered. */
  public double fallbackRate() {
    return served == 0 ? 0 : Math.min(1, (double) fallback / served);
  }
}
