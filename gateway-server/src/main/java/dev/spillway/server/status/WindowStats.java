package dev.spillway.server.status;

/**
 * Sums over the last seconds of one component's {@link Timeline}.
 *
 * @param seconds how many seconds were summed
 * @param served requests a backend answered without a server error
 * @param errors requests that failed on the server side (5xx, aborted streams)
 * @param shed requests shed for capacity
 * @param refused requests refused for the caller's own reasons (rate limits, unknown keys)
 * @param peakShedPerSecond the most requests shed in one of those seconds
 * @param maxQueued the deepest waiting room seen
 */
public record WindowStats(int seconds, long served, long errors, long shed, long refused, long peakShedPerSecond,
    int maxQueued) {

  /** Requests that reached admission's verdict for capacity: served, failed or shed. */
  public long total() {
    return served + errors + shed;
  }

  /** Failed share of the requests that were let through. */
  public double errorRate() {
    long through = served + errors;
    return through == 0 ? 0 : (double) errors / through;
  }

  /** Shed share of all requests. */
  public double shedRate() {
    long total = total();
    return total == 0 ? 0 : (double) shed / total;
  }
}
