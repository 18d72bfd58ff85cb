package dev.spillway.bench.scenario;

import dev.spillway.bench.load.ChatRequest;
import dev.spillway.bench.load.LoadClient;
import dev.spillway.bench.load.LoadResult;
import dev.spillway.bench.load.LoadRunner;
import dev.spillway.bench.load.Schedule;
import dev.spillway.bench.load.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * A mock backend of capacity C (C requests at once, each taking the mock's latency L, so C/L requests per
 * second), offered 0.5 to 10 times that, directly and through each proxy with the same concurrency limit.
 * Reports goodput, shedding, admitted latency and timeouts, and checks the targets at 5× C.
 */
final class OverloadScenario implements Scenario {
  static final double[] MULTIPLES = {0.5, 1, 2, 5, 10};
  private static final String UNLIMITED = "Spillway, no limit";

  @Override
  public String name() {
    return "overload";
  }

  @Override
  public Report run(ScenarioOptions o, LoadClient client, LoadRunner runner) throws Exception {
    int capacity = o.pick(32, 4);
    Duration latency = Duration.ofMillis(o.pick(100, 50));
    int queue = capacity / 2;
    Duration queueWait = Duration.ofSeconds(1);
    Duration step = Duration.ofMillis(o.pick(4000, 1000));
    Duration timeout = Duration.ofSeconds(o.pick(5, 2));
    double capacityRate = capacity * 1000.0 / latency.toMillis();
    ChatRequest request = ChatRequest.json(16);

    Map<String, LoadResult[]> results = new LinkedHashMap<>();
    try (Launcher launcher = new Launcher(o, o.workDir())) {
      int mockPort = Proc.freePort();
      launcher.mock("mock-overload", mockPort, capacity, latency, 100_000, 0);
      List<Target> targets = new ArrayList<>(List.of(new Target("direct (no proxy)", mockPort)));
      for (ProxyKind kind : o.proxyList()) {
        int port = Proc.freePort();
        launcher.proxy(kind, ProxySetup.limited(mockPort, capacity, queue, queueWait), port);
        targets.add(new Target(kind.label(), port));
      }
      // Spillway as a plain proxy too, so its forwarding is measured even if its admission misbehaves.
      int plainPort = Proc.freePort();
      launcher.proxy(ProxyKind.SPILLWAY, ProxySetup.plain(List.of(mockPort)), plainPort);
      targets.add(new Target(UNLIMITED, plainPort));
      for (Target t : targets) {
        runner.run(t, request, Schedule.constant(capacityRate * 0.5, Duration.ofMillis(o.pick(1500, 300))), timeout);
        LoadResult[] row = new LoadResult[MULTIPLES.length];
        for (int i = 0; i < MULTIPLES.length; i++) {
          client.closeIdle();
          ChildProcess.sleep(o.pick(1000, 200));
          row[i] = runner.run(t, request, Schedule.constant(capacityRate * MULTIPLES[i], step), timeout);
          System.out.printf("overload %s %.1fx: ok %d shed %d errors %d%n", t.name(), MULTIPLES[i],
              row[i].okCount(), row[i].shedCount(), row[i].errorCount());
        }
        results.put(t.name(), row);
      }
    }
    return report(o, results, capacity, latency, queue, queueWait, step, timeout, capacityRate);
  }

  private Report report(ScenarioOptions o, Map<String, LoadResult[]> results, int capacity, Duration latency,
      int queue, Duration queueWait, Duration step, Duration timeout, double capacityRate) {
    double seconds = step.toMillis() / 1000.0;
    Report r = new Report(name(), o.outDir());
    r.heading(2, "Overload: goodput and shedding at 0.5× to 10× capacity");
    r.text("Mock backend: capacity C = " + capacity + " concurrent requests, " + latency.toMillis()
        + " ms each (non-streamed, 16 tokens), so C = " + Fmt.num(capacityRate) + " req/s; its own queue is "
        + "unbounded, like a GPU server's. Each proxy limits concurrency to C: Spillway `concurrency: " + capacity
        + "` with `waitingRoom: {maxQueue: " + queue + ", maxWait: " + queueWait.toMillis() + "ms}`; HAProxy `maxconn "
        + capacity + " maxqueue " + queue + "`, `timeout queue " + queueWait.toMillis() + "ms`; nginx `limit_conn "
        + capacity + "` (503 past it, no queue). Open-loop, " + Fmt.num(seconds) + " s per load level, client timeout "
        + timeout.toSeconds() + " s, latency from the intended start. " + Scenarios.machine(o));
    MarkdownTable t = new MarkdownTable("target", ">offered", ">offered req/s", ">goodput req/s", ">goodput / C",
        ">shed", ">shed p50 ms", ">shed p99 ms", ">admitted p50 ms", ">admitted p99 ms", ">timeouts", ">other errors");
    SvgChart goodput = SvgChart.lines("Goodput against offered load (C = " + Fmt.num(capacityRate) + " req/s)",
        "offered load (× capacity C)", "successful responses / s");
    SvgChart p99 = SvgChart.lines("Admitted p99 latency against offered load", "offered load (× capacity C)",
        "p99 of 2xx responses (ms)");
    goodput.line("capacity C", MULTIPLES, constant(capacityRate));
    for (Map.Entry<String, LoadResult[]> e : results.entrySet()) {
      double[] g = new double[MULTIPLES.length];
      double[] p = new double[MULTIPLES.length];
      for (int i = 0; i < MULTIPLES.length; i++) {
        LoadResult res = e.getValue()[i];
        g[i] = goodput(res, seconds);
        p[i] = Fmt.msValue(res.okLatency(), 99);
        t.row(e.getKey(), Fmt.num(MULTIPLES[i]) + "×", Fmt.num(capacityRate * MULTIPLES[i]), Fmt.num(g[i]),
            Fmt.pct(g[i] / capacityRate), Fmt.pct(res.shedCount() / (double) Math.max(1, res.sentCount())),
            Fmt.ms(res.shedLatency(), 50), Fmt.ms(res.shedLatency(), 99), Fmt.ms(res.okLatency(), 50),
            Fmt.ms(res.okLatency(), 99), res.timeouts(), res.errorCount() - res.timeouts());
      }
      goodput.line(e.getKey(), MULTIPLES, g);
      p99.line(e.getKey(), MULTIPLES, p);
    }
    r.table(t);
    r.chart("goodput", "Goodput against offered load", goodput);
    r.chart("p99", "Admitted p99 latency against offered load", p99);
    r.heading(3, "Targets at 5× C");
    MarkdownTable targets = new MarkdownTable("target", ">goodput ≥ 95 % C", ">admitted p99 ≤ 1.5× unloaded",
        ">shed p99 ≤ 2 ms", ">zero timeouts");
    int five = 3;
    for (Map.Entry<String, LoadResult[]> e : results.entrySet()) {
      LoadResult at5 = e.getValue()[five];
      Histogram unloaded = e.getValue()[0].okLatency();
      double g = goodput(at5, seconds) / capacityRate;
      double p99Ratio = Fmt.msValue(at5.okLatency(), 99) / Fmt.msValue(unloaded, 99);
      double shedP99 = Fmt.msValue(at5.shedLatency(), 99);
      targets.row(e.getKey(), verdict(g >= 0.95, Fmt.pct(g)),
          verdict(p99Ratio <= 1.5, Fmt.ratio(p99Ratio) + " (" + Fmt.ms(at5.okLatency(), 99) + " vs "
              + Fmt.ms(unloaded, 99) + " ms)"),
          Double.isNaN(shedP99) ? "no shedding" : verdict(shedP99 <= 2, Fmt.ms(at5.shedLatency(), 99) + " ms"),
          verdict(at5.timeouts() == 0, Long.toString(at5.timeouts())));
    }
    r.table(targets);
    r.text("\"Unloaded\" is the same target at 0.5× C. Goodput counts 2xx responses completed within "
        + "the step, per second. \"Spillway, no limit\" is Spillway without `concurrency`: a plain proxy.");
    r.write();
    return r;
  }

  /** 2xx responses per second completed within the step itself (a queue draining afterwards is not goodput). */
  static double goodput(LoadResult r, double seconds) {
    long ok = 0;
    int bins = (int) Math.max(1, Math.round(seconds));
    for (int b = 0; b < bins && b < r.binCount(); b++) {
      ok += r.okInBin(b);
    }
    return ok / (double) bins;
  }

  static String verdict(boolean met, String value) {
    return (met ? "met: " : "MISSED: ") + value;
  }

  private static double[] constant(double v) {
    double[] a = new double[MULTIPLES.length];
    java.util.Arrays.fill(a, v);
    return a;
  }
}
