package dev.spillway.core.admission.concurrency.sim;

import static dev.spillway.core.admission.concurrency.sim.Simulation.MS;
import static dev.spillway.core.admission.concurrency.sim.Simulation.SECOND;

import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.WaitingRoomConfig;
import java.util.Random;
import java.util.function.Supplier;

/**
 * The default adaptive limit in front of backend shapes the suites' fixed cases do not pin down, to look for
 * faults the way an outside check would (not a test; run it from the test classpath):
 * <pre>
 *   ./mvnw -q -o -pl gateway-core test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 *   java -cp gateway-core/target/test-classes:gateway-core/target/classes:$(cat /tmp/cp.txt) \
 *       dev.spillway.core.admission.concurrency.sim.ShapesProbe [shapes|near|hour|start]
 * </pre>
 * {@code shapes}: few places with answers of seconds, a backend that refuses past its places, answers slow by
 * nature, each non-streamed and half streamed, at loads above capacity; {@code near}: 0.5×, 0.7× and 0.9× of
 * five backends; {@code hour}: an hour at 2× on 64 places of 500 ms, in blocks of five minutes; {@code start}:
 * a cold start at 3× on few slow places, second by second. Each line is one run's {@link SimStats} from the
 * 30th second on (the requests by arrival), with the sheds by reason.
 */
public final class ShapesProbe {
  private ShapesProbe() {}

  public static void main(String[] args) {
    String what = args.length > 0 ? args[0] : "shapes";
    if (what.contains("shapes")) {
      shapes();
    }
    if (what.contains("near")) {
      nearCapacity();
    }
    if (what.contains("hour")) {
      anHour();
    }
    if (what.contains("start")) {
      coldStart();
    }
  }

  private static void shapes() {
    String[] names = {"1 x 1 s, queue 100, 3x", "2 x 1 s, queue 100, 3x", "4 x 3 s, queue 512, 3x",
        "64 x 50 ms, no queue, 5x", "64 x 20 ms, a tenth x20, 3x", "8 x 400 ms, 1.5x"};
    java.util.List<Supplier<SimBackend>> backends = java.util.List.of(
        () -> new FixedSlotsBackend(1, SECOND, 100), () -> new FixedSlotsBackend(2, SECOND, 100),
        () -> new FixedSlotsBackend(4, 3 * SECOND, 512), () -> new FixedSlotsBackend(64, 50 * MS, 0),
        () -> new FixedSlotsBackend(64, 20 * MS, 1024).withSlowShare(0.1, 20),
        () -> new FixedSlotsBackend(8, 400 * MS, 1024));
    double[] rates = {3, 6, 4, 6400, 3 * 64 / (0.9 * 0.02 + 0.1 * 0.4), 30};
    int[] best = {1, 2, 4, 64, 64, 8};
    for (int i = 0; i < names.length; i++) {
      for (boolean streams : new boolean[] {false, true}) {
        Simulation sim = run(backends.get(i).get(), rates[i], 120 * SECOND, streams, 7);
        System.out.printf("%s, %s: %s sheds %s%n", names[i], streams ? "half streamed" : "non-streamed",
            SimStats.of(sim, 30 * SECOND, 120 * SECOND, best[i]), sim.shedReasons);
      }
    }
  }

  private static void nearCapacity() {
    int[][] shapes = {{16, 200}, {64, 50}, {8, 400}, {4, 1000}, {40, 2000}};
    for (int[] shape : shapes) {
      for (double load : new double[] {0.5, 0.7, 0.9}) {
        for (boolean streams : new boolean[] {false, true}) {
          double rate = load * shape[0] * 1000.0 / shape[1];
          Simulation sim = run(new FixedSlotsBackend(shape[0], shape[1] * MS, 1024), rate, 120 * SECOND, streams, 11);
          System.out.printf("%d x %d ms at %.1fx, %s: %s sheds %s%n", shape[0], shape[1], load,
              streams ? "half streamed" : "non-streamed", SimStats.of(sim, 30 * SECOND, 120 * SECOND, shape[0]),
              sim.shedReasons);
        }
      }
    }
  }

  private static void anHour() {
    Simulation sim = run(new FixedSlotsBackend(64, 500 * MS, 1024), 2 * 128, 3600 * SECOND, true, 3);
    for (int minute = 0; minute < 60; minute += 5) {
      System.out.printf("minutes %d-%d: %s%n", minute, minute + 5,
          SimStats.of(sim, minute * 60 * SECOND, (minute + 5) * 60 * SECOND, 64));
    }
  }

  /**
   * A cold start at 3x on few slow places: the limit and the requests in flight every second for the first
   * 30 s, and the most in flight, which the backend's own queue holds beyond its places.
   */
  private static void coldStart() {
    int[][] shapes = {{1, 1000}, {4, 3000}, {8, 2000}, {16, 5000}, {32, 500}};
    for (int[] shape : shapes) {
      for (boolean streams : new boolean[] {false, true}) {
        double rate = 3 * shape[0] * 1000.0 / shape[1];
        Simulation sim = run(new FixedSlotsBackend(shape[0], shape[1] * MS, 1024), rate, 60 * SECOND, streams, 7);
        StringBuilder trace = new StringBuilder();
        int step = 1000 / Simulation.TRACE_STEP_MS;
        for (int i = 0; i < 30 * step && i < sim.limitTrace.size(); i += step) {
          trace.append(' ').append(sim.limitTrace.get(i)).append('/').append(sim.inFlightTrace.get(i));
        }
        int deepest = sim.inFlightTrace.stream().mapToInt(Integer::intValue).max().orElse(0);
        System.out.printf("%d x %d ms, %s: most in flight %d, limit/in flight by second:%s; from 30 s: %s%n",
            shape[0], shape[1], streams ? "half streamed" : "non-streamed", deepest, trace,
            SimStats.of(sim, 30 * SECOND, 60 * SECOND, shape[0]));
      }
    }
  }

  private static Simulation run(SimBackend backend, double rate, long end, boolean halfStreamed, int seed) {
    Simulation sim = new Simulation(ConcurrencyConfig.adaptive(ConcurrencyConfig.DEFAULT_LIMIT),
        WaitingRoomConfig.DEFAULTS, backend);
    sim.poisson(new Random(seed), 0, end, t -> rate,
        (random, at) -> new SimRequest(at, halfStreamed && random.nextBoolean(), 100, 50));
    sim.run(end);
    return sim;
  }
}
