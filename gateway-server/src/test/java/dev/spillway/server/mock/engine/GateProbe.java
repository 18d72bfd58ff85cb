package dev.spillway.server.mock.engine;

import static dev.spillway.server.mock.engine.GateSim.SECOND;

import java.util.SplittableRandom;

public final class GateProbe {
  public static void main(String[] args) {
    EngineOptions o = EngineOptions.defaults();
    double cap = EngineRuns.forBenchmarkMix(o).capacity;
    double[] mult = {0.5, 1, 2, 5, 10};
    int seeds = Integer.getInteger("seeds", 4);
    double unloaded = 0;
    for (int m = 0; m < mult.length; m++) {
      double tok = 0, worst = 0, mean = 0, inflight = 0; long sheds = 0;
      for (int seed = 1; seed <= seeds; seed++) {
        GateSim sim = new GateSim(o, null);
        SplittableRandom r = new SplittableRandom(seed);
        long t = 0, end = 60 * SECOND, skip = 10 * SECOND;
        double rate = mult[m] * cap;
        while (true) {
          t += (long) (-Math.log(1 - r.nextDouble()) / rate * SECOND);
          if (t >= end) break;
          EngineAdmissionSim.SimCall c = EngineRuns.chat(r, t);
          sim.arrival(new GateSim.GCall(t, c.stream, c.promptTokens, c.answerTokens));
        }
        sim.run(end + 60 * SECOND);
        long sum = 0;
        for (int i = (int) (skip / GateSim.TRACE_STEP_NANOS); i < end / GateSim.TRACE_STEP_NANOS; i++) sum += sim.tokenTrace.get(i);
        tok += sum / ((end - skip) / 1e9) / seeds;
        long[] v = sim.calls.stream().filter(c -> c.arrivedAt >= skip && c.stream && c.state != GateSim.GCall.State.SHED && c.state != GateSim.GCall.State.REJECTED)
            .mapToLong(c -> c.ttftNanos() < 0 ? Long.MAX_VALUE : c.ttftNanos()).sorted().toArray();
        double p99 = v[(int) Math.ceil(0.99 * v.length) - 1] / 1e6;
        if (m == 0 && seed == 1) unloaded = Double.parseDouble(System.getProperty("unloaded", "0"));
        worst = Math.max(worst, p99); mean += p99 / seeds;
        sheds += sim.calls.stream().filter(c -> c.arrivedAt >= skip && c.state == GateSim.GCall.State.SHED).count();
        inflight += sim.limitTrace.subList(100, 600).stream().mapToInt(Integer::intValue).average().orElse(0) / seeds;
      }
      System.out.printf("%.1fx tokens %.0f (%.1f%%) ttft p99 mean %.0f worst %.0f ms (%.2fx / %.2fx) sheds %d inflight %.1f%n", mult[m], tok, tok / 7, mean, worst, mean / unloaded, worst / unloaded, sheds, inflight);
    }
  }
}
