package dev.spillway.server.mock.engine;

import static dev.spillway.server.mock.engine.EngineAdmissionSim.SECOND;

import dev.spillway.core.config.ConcurrencyConfig;
import java.util.List;

/**
 * The development loop of the adaptive limit on the LLM engine: prints what {@link EngineAdmissionSim} measures
 * (not a test; run it from the test classpath). Arguments: what to run ({@code static}, {@code excess},
 * {@code seeds}, {@code multi}, {@code sweep}, {@code conv}, {@code mconv} (convergence from 4 and from 1,024
 * over {@code seeds}), {@code spike}, {@code long}, and for diagnosis
 * {@code diag} (room wait and engine time per level), {@code tail} (the slowest first tokens of one level),
 * {@code halfsheds} (every shed at half load, 16 seeds), {@code longdiag} (the long-answer mix's queues),
 * {@code from1024} (the limit from 1,024 and from 4 at 2×), {@code wave} (one level's limit, in-flight
 * count, room, gate width and engine queue over time, with every request sent and shed), combined with commas), the engine shape
 * ({@code default}, {@code slot}: 64 sequences with a large KV cache, {@code slowprefill}: 2,000 prompt
 * tokens/s), then optionally its capacity in requests/s and the best tokens/s to compare with. System
 * properties: {@code seeds}, {@code seed0}, {@code static} (a static limit instead of the adaptive one),
 * {@code gate} (the adaptive limit with its prefill gate), {@code slowsheds} and {@code perseed} (with
 * {@code multi}: every shed that waited, and each seed's levels from 2×), {@code streamShare} (the share of
 * chat requests streamed, default 0.8), {@code levelSeconds} (the staircase's level
 * length, default 20), {@code level} (the level {@code tail} reads, default 3: 5×), {@code quiet},
 * {@code nokind} (permits are not told whether their request streams), {@code engine} ({@code min} or
 * {@code override}: the adaptive limit with engine signals, the engine's waiting queue read every 500 ms) and
 * {@code minLimit} (the adaptive limit's floor, default 4).
 */
public final class EngineProbe {
  /** The default adaptive limit; {@code -Dgate=true} turns its prefill gate on, {@code -DminLimit} sets its floor. */
  static ConcurrencyConfig adaptive() {
    return adaptive(ConcurrencyConfig.DEFAULT_LIMIT);
  }

  static ConcurrencyConfig adaptive(int start) {
    return new ConcurrencyConfig(ConcurrencyConfig.Mode.ADAPTIVE, start,
        Integer.getInteger("minLimit", ConcurrencyConfig.DEFAULT_MIN_LIMIT),
        Math.max(start, ConcurrencyConfig.DEFAULT_MAX_LIMIT), null, Boolean.getBoolean("gate"));
  }

  public static void main(String[] args) {
    EngineOptions o = EngineOptions.defaults();
    if (args.length > 1 && args[1].equals("slot")) {
      o = o.withMaxRunning(64).withKvCacheTokens(1 << 20);
    } else if (args.length > 1 && args[1].equals("slowprefill")) {
      o = o.withPrefillTokensPerSecond(2000);
    }
    double cap = args.length > 2 ? Double.parseDouble(args[2]) : EngineRuns.forBenchmarkMix(o).capacity;
    System.out.printf("capacity %.2f req/s%n", cap);
    double best = args.length > 3 ? Double.parseDouble(args[3]) : 700;
    EngineRuns runs = new EngineRuns(o, cap);
    String what = args.length > 0 ? args[0] : "all";
    long t0 = System.nanoTime();
    if (what.contains("static")) {
      for (double m : new double[] {1, 2, 5}) {
        for (int lim = 16; lim <= 64; lim += 4) {
          double tok = 0;
          StringBuilder sb = new StringBuilder();
          for (int seed = 1; seed <= 3; seed++) {
            EngineRunStats s = runs.constant(ConcurrencyConfig.fixed(lim), m, 120 * SECOND, 10 * SECOND, seed);
            tok += s.tokensPerSecond() / 3;
            sb.append(" | ").append(s);
          }
          System.out.printf("static %d %.0fx: mean tokens/s %.0f%s%n", lim, m, tok, sb);
        }
      }
      EngineRunStats u = runs.constant(ConcurrencyConfig.fixed(100_000), 0.5, 60 * SECOND, 10 * SECOND, 3);
      System.out.println("unlimited 0.5x: " + u);
      EngineRunStats u1 = runs.constant(ConcurrencyConfig.fixed(100_000), 1, 60 * SECOND, 10 * SECOND, 3);
      System.out.println("unlimited 1x: " + u1);
    }
    if (what.contains("excess")) {
      for (double m : new double[] {2, 5}) {
        for (int lim = 20; lim <= 56; lim += 4) {
          EngineRunStats s = runs.constant(ConcurrencyConfig.fixed(lim), m, 60 * SECOND, 10 * SECOND, 1);
          double[] ex = s.calls(10 * SECOND, 60 * SECOND).stream().filter(c -> c.stream && c.firstTokenAt > 0)
              .mapToDouble(c -> (c.firstTokenAt - c.sentAt) / 1e6 - c.promptTokens / 8.0).sorted().toArray();
          System.out.printf("static %d %.0fx excess p25 %.0f p50 %.0f p75 %.0f p90 %.0f ms  %s%n", lim, m,
              ex[ex.length / 4], ex[ex.length / 2], ex[ex.length * 3 / 4], ex[ex.length * 9 / 10], s);
        }
      }
    }
    if (what.contains("seeds")) {
      for (long seed = 1; seed <= 8; seed++) {
        EngineRunStats h = runs.constant(ConcurrencyConfig.adaptive(64), 0.5, 60 * SECOND, 0, seed);
        EngineRunStats l = runs.longAnswers(ConcurrencyConfig.adaptive(64), 40, seed);
        EngineRunStats sp = runs.spike(ConcurrencyConfig.adaptive(64), seed);
        System.out.printf("seed %d half sheds %d | long freeSheds %d sheds %d | spike recovery %d%n", seed,
            h.sheds(), l.sim.shedWithFreeEngine, l.sheds(), sp.recoverySeconds(5 * SECOND, 15 * SECOND, 1.5));
        if (Boolean.getBoolean("traces")) {
          System.out.println(" half " + h.limitPerSecond());
          System.out.println(" long " + l.limitPerSecond());
          System.out.println(" spike " + sp.limitPerSecond());
        }
      }
    }
    if (what.contains("multi")) {
      double unloaded = runs.constant(ConcurrencyConfig.fixed(100_000), 0.5, 60 * SECOND, 10 * SECOND, 3)
          .streamTtftP99Ms();
      System.out.printf("unloaded stream TTFT p99 %.0f ms%n", unloaded);
      EngineRunStats unloadedRun = runs.constant(ConcurrencyConfig.fixed(100_000), 0.5, 60 * SECOND, 10 * SECOND, 3);
      double unloadedJson = unloadedRun.ttftP99Ms(false, unloadedRun.from, unloadedRun.to);
      double[] json = new double[5];
      double[] tok = new double[5];
      double[] ttft = new double[5];
      double[] mttft = new double[5];
      long[] sheds = new long[5];
      double[] lim = new double[5];
      double[] shedP99 = new double[5];
      long[] slow = new long[5];
      int seeds = Integer.getInteger("seeds", 8);
      for (int seed = Integer.getInteger("seed0", 1); seed < Integer.getInteger("seed0", 1) + seeds; seed++) {
        int fixed = Integer.getInteger("static", 0);
        List<EngineRunStats> sw = runs.sweep(fixed > 0 ? ConcurrencyConfig.fixed(fixed)
            : adaptive(), seed);
        if (!Boolean.getBoolean("quiet")) System.out.println("seed " + seed + " limit: " + sw.get(0).limitPerSecond());
        for (int i = 0; i < 5; i++) {
          tok[i] += sw.get(i).tokensPerSecond() / seeds;
          ttft[i] = Math.max(ttft[i], sw.get(i).streamTtftP99Ms() / unloaded);
          mttft[i] += Math.min(10, sw.get(i).streamTtftP99Ms() / unloaded) / seeds;
          sheds[i] += sw.get(i).sheds();
          lim[i] += sw.get(i).meanLimit() / seeds;
          EngineRunStats st = sw.get(i);
          json[i] += Math.min(10, st.ttftP99Ms(false, st.from, st.to) / unloadedJson) / seeds;
          double[] sl = st.calls(st.from, st.to).stream().filter(c -> c.state == EngineAdmissionSim.SimCall.State.SHED)
              .mapToDouble(c -> (c.shedAt - c.arrivedAt) / 1e6).sorted().toArray();
          if (sl.length > 0) {
            shedP99[i] = Math.max(shedP99[i], sl[(int) Math.min(sl.length - 1, Math.ceil(0.99 * sl.length) - 1)]);
            slow[i] += java.util.Arrays.stream(sl).filter(v -> v > 2).count();
            if (Boolean.getBoolean("perseed") && i >= 2) {
              System.out.printf("seed %d %.0fx tokens %.0f ttft %.2fx slow %d limit %.1f%n", seed,
                  EngineRuns.MULTIPLES[i], st.tokensPerSecond(), st.streamTtftP99Ms() / unloaded,
                  java.util.Arrays.stream(sl).filter(v -> v > 2).count(), st.meanLimit());
            }
            if (Boolean.getBoolean("slowsheds")) {
              int lv = i;
              int sd = seed;
              st.calls(st.from, st.to).stream().filter(c -> c.state == EngineAdmissionSim.SimCall.State.SHED
                  && c.shedAt - c.arrivedAt > 2_000_000).forEach(c -> System.out.printf(
                  "slow shed seed %d level %d %s after %.0f ms stream %s%n", sd, lv, c.shedReason,
                  (c.shedAt - c.arrivedAt) / 1e6, c.stream));
            }
          }
        }
      }
      for (int i = 0; i < 5; i++) {
        System.out.printf("multi %.1fx tokens %.0f (%.1f%% of %.0f) worst ttft %.2fx mean %.2fx json %.2fx sheds %d (slow %d, p99 %.0f ms) limit %.1f%n",
            EngineRuns.MULTIPLES[i], tok[i], 100 * tok[i] / best, best, ttft[i], mttft[i], json[i], sheds[i], slow[i], shedP99[i], lim[i]);
      }
    }
    if (what.contains("diag")) {
      List<EngineRunStats> sw = runs.sweep(adaptive(),
          Integer.getInteger("seed0", 1));
      EngineAdmissionSim sim = sw.get(0).sim;
      StringBuilder g = new StringBuilder();
      for (int i = 0; i < sim.gateTrace.size(); i += 10) {
        g.append(sim.gateTrace.get(i)).append(' ');
      }
      System.out.println("gate: " + g);
      StringBuilder f = new StringBuilder();
      for (int i = 0; i < sim.inFlightTrace.size() && i < 1000; i += 5) {
        f.append(sim.inFlightTrace.get(i)).append('/').append(sim.engineWaitingTrace.get(i)).append(' ');
      }
      System.out.println("inflight/engine-waiting: " + f);
      for (int i = 0; i < sw.size(); i++) {
        EngineRunStats s = sw.get(i);
        List<EngineAdmissionSim.SimCall> cs = s.calls(s.from, s.to).stream()
            .filter(c -> c.stream && c.firstTokenAt > 0).toList();
        double[] wait = cs.stream().mapToDouble(c -> (c.sentAt - c.arrivedAt) / 1e6).sorted().toArray();
        double[] eng = cs.stream().mapToDouble(c -> (c.firstTokenAt - c.sentAt) / 1e6).sorted().toArray();
        double[] exc = cs.stream().mapToDouble(c -> (c.firstTokenAt - c.sentAt) / 1e6 - c.promptTokens / 8.0)
            .sorted().toArray();
        System.out.printf("%.1fx %s | wait p50 %.0f p99 %.0f | engine p50 %.0f p99 %.0f | excess p50 %.0f p90 %.0f p99 %.0f%n",
            EngineRuns.MULTIPLES[i], s, wait[wait.length / 2], wait[(int) (wait.length * 0.99)],
            eng[eng.length / 2], eng[(int) (eng.length * 0.99)], exc[exc.length / 2], exc[(int) (exc.length * 0.9)],
            exc[(int) (exc.length * 0.99)]);
      }
    }
    if (what.contains("wave")) {
      List<EngineRunStats> sw = runs.sweep(adaptive(), Integer.getInteger("seed0", 1));
      EngineAdmissionSim sim = sw.get(0).sim;
      EngineRunStats s = sw.get(Integer.getInteger("level", 2));
      int from = (int) (s.from / EngineAdmissionSim.TRACE_STEP_NANOS) - 100;
      int to = (int) (s.to / EngineAdmissionSim.TRACE_STEP_NANOS);
      StringBuilder f = new StringBuilder();
      for (int i = Math.max(0, from); i < to && i < sim.roomTrace.size(); i += 2) {
        f.append(String.format("%.1fs:L%d/i%d/r%d/g%d/e%d%n", i / 10.0, sim.limitTrace.get(i),
            sim.inFlightTrace.get(i), sim.roomTrace.get(i), sim.gateTrace.get(i), sim.engineWaitingTrace.get(i)));
      }
      System.out.print(f);
      s.calls(s.from - 10 * SECOND, s.to).stream().filter(c -> c.sentAt > 0)
          .forEach(c -> System.out.printf("sent at %.2f s after %.0f ms stream %s prompt %d answer %d first %.2f end %.2f%n",
              c.sentAt / 1e9, (c.sentAt - c.arrivedAt) / 1e6, c.stream, c.promptTokens, c.answerTokens,
              c.firstTokenAt / 1e9, c.endedAt / 1e9));
      s.calls(s.from - 10 * SECOND, s.to).stream().filter(c -> c.state == EngineAdmissionSim.SimCall.State.SHED)
          .forEach(c -> System.out.printf("shed %s at %.2f s after %.0f ms%n", c.shedReason, c.arrivedAt / 1e9,
              (c.shedAt - c.arrivedAt) / 1e6));
    }
    if (what.contains("from1024")) {
      for (int seed = 1; seed <= 8; seed++) {
        EngineRunStats r = runs.constant(adaptive(1024), 2, 20 * SECOND, 0, seed);
        System.out.println("seed " + seed + ": " + r.limitPerSecond());
      }
      for (int seed = 1; seed <= 8; seed++) {
        EngineRunStats r = runs.constant(adaptive(4), 2, 20 * SECOND, 0, seed);
        System.out.println("from 4 seed " + seed + ": " + r.limitPerSecond());
      }
    }
    if (what.contains("longdiag")) {
      EngineRunStats l = runs.longAnswers(adaptive(), 40, Integer.getInteger("seed0", 1));
      System.out.println("long: freeSheds " + l.sim.shedWithFreeEngine + " " + l);
      System.out.println("limit: " + l.limitPerSecond());
      StringBuilder f = new StringBuilder();
      for (int i = 350; i < l.sim.inFlightTrace.size() && i < 600; i += 5) {
        f.append(String.format("%.1fs:%d/%dw/%dkv/%dr ", i / 10.0, l.sim.inFlightTrace.get(i),
            l.sim.engineWaitingTrace.get(i), l.sim.kvTrace.get(i), l.sim.roomTrace.get(i)));
      }
      System.out.println("inflight/engine-waiting/gate: " + f);
      l.calls(0, 75 * SECOND).stream().filter(c -> c.state == EngineAdmissionSim.SimCall.State.SHED).limit(10)
          .forEach(c -> System.out.printf("shed %s at %.2f s after %.0f ms%n", c.shedReason, c.arrivedAt / 1e9,
              (c.shedAt - c.arrivedAt) / 1e6));
    }
    if (what.contains("halfsheds")) {
      for (int seed = 1; seed <= 16; seed++) {
        List<EngineRunStats> sw = runs.sweep(adaptive(), seed);
        EngineRunStats s = sw.get(0);
        final int sd = seed;
        s.calls(s.from, s.to).stream().filter(c -> c.state == EngineAdmissionSim.SimCall.State.SHED)
            .forEach(c -> System.out.printf("seed %d shed %s at %.2f s after %.0f ms gate %d%n", sd, c.shedReason,
                c.arrivedAt / 1e9, (c.shedAt - c.arrivedAt) / 1e6,
                s.sim.gateTrace.get((int) (c.arrivedAt / EngineAdmissionSim.TRACE_STEP_NANOS))));
      }
    }
    if (what.contains("tail")) {
      List<EngineRunStats> sw = runs.sweep(adaptive(), Integer.getInteger("seed0", 1));
      EngineRunStats s = sw.get(Integer.getInteger("level", 3));
      s.calls(s.from, s.to).stream().filter(c -> c.stream && c.firstTokenAt > 0)
          .sorted((a, b) -> Long.compare(b.firstTokenAt - b.arrivedAt, a.firstTokenAt - a.arrivedAt)).limit(8)
          .forEach(c -> System.out.printf("ttft %.0f wait %.0f engine %.0f prompt %d (%.0f ms) at %.1f s sent %s%n",
              (c.firstTokenAt - c.arrivedAt) / 1e6, (c.sentAt - c.arrivedAt) / 1e6, (c.firstTokenAt - c.sentAt) / 1e6,
              c.promptTokens, c.promptTokens / 8.0, c.arrivedAt / 1e9, c.engineAtSend));
    }
    if (what.contains("sweep")) {
      List<EngineRunStats> sw = runs.sweep(adaptive(), 1);
      for (int i = 0; i < sw.size(); i++) {
        System.out.println("sweep " + EngineRuns.MULTIPLES[i] + "x: " + sw.get(i));
      }
      System.out.println("limit: " + sw.get(0).limitPerSecond());
    }
    if (what.contains("mconv")) {
      for (int start : new int[] {4, 1024}) {
        double settled = 0;
        int never = 0;
        double lateMean = 0;
        int n = Integer.getInteger("seeds", 8);
        for (long seed = 1; seed <= n; seed++) {
          EngineRunStats s = runs.constant(ConcurrencyConfig.adaptive(start), 2, 20 * SECOND, 0, seed);
          double t = s.settleSeconds(40, 0.1);
          if (t < 0) {
            never++;
          } else {
            settled += t;
          }
          lateMean += s.meanLimit() / n;
        }
        System.out.printf("mconv from %d: settled %d of %d, mean settle %.1f s, mean limit %.1f%n", start, n - never, n,
            settled / Math.max(1, n - never), lateMean);
      }
    }
    if (what.contains("conv") && !what.contains("mconv")) {
      for (int start : new int[] {4, 1024}) {
        EngineRunStats s = runs.constant(ConcurrencyConfig.adaptive(start), 2, 20 * SECOND, 0, 5);
        System.out.println("conv from " + start + ": settle " + s.settleSeconds(40, 0.1) + " " + s);
        System.out.println("limit: " + s.limitPerSecond());
      }
    }
    if (what.contains("spike")) {
      EngineRunStats s = runs.spike(adaptive(), 7);
      System.out.println("spike recovery " + s.recoverySeconds(5 * SECOND, 15 * SECOND, 1.5) + " " + s);
      System.out.println("limit: " + s.limitPerSecond());
    }
    if (what.contains("long")) {
      EngineRunStats s = runs.longAnswers(adaptive(), 40, 13);
      System.out.println("long: freeSheds " + s.sim.shedWithFreeEngine + " " + s);
      System.out.println("limit: " + s.limitPerSecond());
    }
    System.out.printf("cpu %.1f s%n", (System.nanoTime() - t0) / 1e9);
  }
}
