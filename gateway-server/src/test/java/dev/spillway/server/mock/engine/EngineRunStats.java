package dev.spillway.server.mock.engine;

import static dev.spillway.server.mock.engine.EngineAdmissionSim.SECOND;
import static dev.spillway.server.mock.engine.EngineAdmissionSim.TRACE_STEP_NANOS;

import dev.spillway.server.mock.engine.EngineAdmissionSim.SimCall;
import java.util.List;
import java.util.Locale;

/**
 * What the unknown-capacity benchmark reads from one stretch {@code [from, to)} of an {@link EngineAdmissionSim}
 * run: answer tokens delivered a second, streams' time to first token from arrival (p99, a stream still waiting
 * at the end counting as slower than all), sheds, the mean limit; and over the whole run the limit's settling
 * time and the recovery after a spike.
 */
final class EngineRunStats {
  final EngineAdmissionSim sim;
  final long from;
  final long to;

  EngineRunStats(EngineAdmissionSim sim, long from, long to) {
    this.sim = sim;
    this.from = from;
    this.to = to;
  }

  List<SimCall> calls(long fromNanos, long toNanos) {
    return sim.calls.stream().filter(c -> c.arrivedAt >= fromNanos && c.arrivedAt < toNanos).toList();
  }

  double tokensPerSecond() {
    long sum = 0;
    for (int i = (int) (from / TRACE_STEP_NANOS); i < to / TRACE_STEP_NANOS && i < sim.tokenTrace.size(); i++) {
      sum += sim.tokenTrace.get(i);
    }
    return sum / ((to - from) / 1e9);
  }

  double okPerSecond() {
    return sim.calls.stream().filter(c -> c.endedAt >= from && c.endedAt < to
        && c.state == SimCall.State.OK).count() / ((to - from) / 1e9);
  }

  long sheds() {
    return calls(from, to).stream().filter(c -> c.state == SimCall.State.SHED).count();
  }

  long rejected() {
    return calls(from, to).stream().filter(c -> c.state == SimCall.State.REJECTED).count();
  }

  /** The p99 stream TTFT from arrival in ms, by arrival in {@code [a, b)}; infinite if censored; NaN if none. */
  double ttftP99Ms(boolean stream, long a, long b) {
    List<SimCall> cs = calls(a, b).stream().filter(c -> c.stream == stream && c.state != SimCall.State.SHED
        && c.state != SimCall.State.REJECTED).toList();
    if (cs.isEmpty()) {
      return Double.NaN;
    }
    long[] v = cs.stream().mapToLong(c -> c.ttftNanos() < 0 ? Long.MAX_VALUE : c.ttftNanos()).sorted().toArray();
    long p = v[(int) Math.min(v.length - 1, Math.max(0, Math.ceil(0.99 * v.length) - 1))];
    return p == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : p / 1e6;
  }

  double streamTtftP99Ms() {
    return ttftP99Ms(true, from, to);
  }

  double meanLimit() {
    int a = (int) (from / TRACE_STEP_NANOS);
    int b = (int) Math.min(sim.limitTrace.size(), to / TRACE_STEP_NANOS);
    return sim.limitTrace.subList(a, b).stream().mapToInt(Integer::intValue).average().orElse(Double.NaN);
  }

  /** Seconds after which the limit stays within ±{@code tolerance} of {@code target} until {@code to}; -1 never. */
  double settleSeconds(double target, double tolerance) {
    int end = (int) Math.min(sim.limitTrace.size(), to / TRACE_STEP_NANOS);
    int settled = -1;
    for (int i = end - 1; i >= 0; i--) {
      if (Math.abs(sim.limitTrace.get(i) - target) > tolerance * target) {
        break;
      }
      settled = i;
    }
    return settled < 0 ? -1 : settled * TRACE_STEP_NANOS / 1e9;
  }

  /**
   * The benchmark's recovery: seconds after {@code spikeEnd} until every later second (to {@code to}) has no
   * shed and a TTFT p99 (streams and JSON heads, by arrival) within {@code factor} of the one before
   * {@code spikeStart} (from the second second on); -1 if never.
   */
  int recoverySeconds(long spikeStart, long spikeEnd, double factor) {
    double pre = Math.max(nanToZero(ttftP99Ms(true, SECOND, spikeStart)),
        nanToZero(ttftP99Ms(false, SECOND, spikeStart)));
    int first = (int) (spikeEnd / SECOND);
    int recovered = -1;
    for (int b = (int) (to / SECOND) - 1; b >= first; b--) {
      long a = b * SECOND;
      boolean shed = calls(a, a + SECOND).stream().anyMatch(c -> c.state == SimCall.State.SHED);
      double p = Math.max(nanToZero(ttftP99Ms(true, a, a + SECOND)), nanToZero(ttftP99Ms(false, a, a + SECOND)));
      if (shed || p > factor * pre) {
        break;
      }
      recovered = b;
    }
    return recovered < 0 ? -1 : recovered - first;
  }

  private static double nanToZero(double v) {
    return Double.isNaN(v) ? 0 : v;
  }

  /** The limit trace in one line, a value per second. */
  String limitPerSecond() {
    StringBuilder sb = new StringBuilder();
    int per = (int) (SECOND / TRACE_STEP_NANOS);
    for (int i = 0; i < sim.limitTrace.size(); i += per) {
      sb.append(sim.limitTrace.get(i)).append(' ');
    }
    return sb.toString().trim();
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "tokens/s %.0f ok/s %.2f ttftP99 %.0f ms sheds %d rejected %d limit %.1f",
        tokensPerSecond(), okPerSecond(), streamTtftP99Ms(), sheds(), rejected(), meanLimit());
  }

}
