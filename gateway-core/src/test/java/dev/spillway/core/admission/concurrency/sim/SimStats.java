package dev.spillway.core.admission.concurrency.sim;

import java.util.List;

/** What a {@link Simulation} measured over a steady-state interval. */
record SimStats(double p99LatencyNanos, double p99FirstTokenNanos, double p99WaitNanos, double completedPerSecond,
    double meanLimit, int minLimit, int maxLimit, double convergedAtSeconds, double p99BackendFirstTokenNanos,
    int shed, double p99ShedNanos) {

  /**
   * @param from start of the measured interval (nanos from the run's start); requests are counted by when
   *     they arrived
   * @param to its end
   * @param best the limit to converge to (see {@link #convergedAt})
   */
  static SimStats of(Simulation sim, long from, long to, int best) {
    List<SimRequest> done = sim.requests.stream()
        .filter(r -> r.arrivedAt >= from && r.arrivedAt < to && r.finishedAt >= 0 && !r.rejectedByBackend)
        .toList();
    double[] latency = done.stream().mapToDouble(r -> r.finishedAt - r.arrivedAt).sorted().toArray();
    double[] firstToken = done.stream().filter(r -> r.stream)
        .mapToDouble(r -> r.firstTokenAt - r.arrivedAt).sorted().toArray();
    List<Integer> trace = sim.limitTrace;
    int a = (int) (from / (Simulation.TRACE_STEP_MS * Simulation.MS));
    int b = Math.min(trace.size(), (int) (to / (Simulation.TRACE_STEP_MS * Simulation.MS)));
    List<Integer> steady = trace.subList(a, b);
    double converged = convergedAt(trace, b, best);
    double[] backendFirstToken = done.stream().filter(r -> r.stream)
        .mapToDouble(r -> r.firstTokenAt - r.sentAt).sorted().toArray();
    double[] wait = done.stream().mapToDouble(r -> r.sentAt - r.arrivedAt).sorted().toArray();
    double[] shedLatency = sim.requests.stream().filter(r -> r.arrivedAt >= from && r.arrivedAt < to && r.shedAt >= 0)
        .mapToDouble(r -> r.shedAt - r.arrivedAt).sorted().toArray();
    return new SimStats(percentile(latency, 0.99), percentile(firstToken, 0.99), percentile(wait, 0.99),
        done.size() / ((to - from) / (double) Simulation.SECOND),
        steady.stream().mapToInt(Integer::intValue).average().orElse(0),
        steady.stream().mapToInt(Integer::intValue).min().orElse(0),
        steady.stream().mapToInt(Integer::intValue).max().orElse(0), converged,
        percentile(backendFirstToken, 0.99), shedLatency.length, percentile(shedLatency, 0.99));
  }

  /**
   * As the unknown-capacity benchmark judges it: the limit sampled every 250 ms from the start, the seconds
   * after which every sample stays within 10% of {@code best}; -1 when the last one is outside.
   */
  static double settledAt(List<Integer> trace, int best) {
    int step = 250 / Simulation.TRACE_STEP_MS;
    double settled = -1;
    for (int i = 0; i < trace.size(); i += step) {
      int v = trace.get(i);
      boolean inside = v >= 0.9 * best && v <= 1.1 * best;
      if (!inside) {
        settled = -1;
      } else if (settled < 0) {
        settled = i * Simulation.TRACE_STEP_MS / 1000.0;
      }
    }
    return settled;
  }

  /**
   * Seconds from the start after which the limit, averaged over the last second (it probes up and steps
   * back by design), stays within 10% of {@code best} until trace index {@code end}; -1 when it never does.
   */
  static double convergedAt(List<Integer> trace, int end, int best) {
    int span = 1000 / Simulation.TRACE_STEP_MS;
    int lastOutside = -1;
    double sum = 0;
    for (int i = 0; i < end; i++) {
      sum += trace.get(i);
      if (i >= span) {
        sum -= trace.get(i - span);
      }
      double average = sum / Math.min(i + 1, span);
      if (Math.abs(average - best) > 0.1 * best) {
        lastOutside = i;
      }
    }
    return lastOutside == end - 1 ? -1 : (lastOutside + 1) * Simulation.TRACE_STEP_MS / 1000.0;
  }

  static double percentile(double[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
  }

  @Override
  public String toString() {
    return String.format("p99=%.1fms p99ttft=%.1fms (backend %.1fms) p99wait=%.1fms done/s=%.1f limit mean=%.1f [%d..%d] "
        + "converged@%.2fs shed=%d p99shed=%.1fms", p99LatencyNanos / 1e6, p99FirstTokenNanos / 1e6,
        p99BackendFirstTokenNanos / 1e6, p99WaitNanos / 1e6, completedPerSecond, meanLimit, minLimit, maxLimit,
        convergedAtSeconds, shed, p99ShedNanos / 1e6);
  }
}
