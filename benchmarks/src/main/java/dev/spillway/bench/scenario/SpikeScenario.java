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

/**
 * A traffic spike: 0.8× capacity, then 10× for a while, then 0.8× again, through each proxy set up as in
 * the overload scenario. Reports goodput during the spike and how long after it latency and errors return
 * to what they were before.
 */
final class SpikeScenario implements Scenario {
  @Override
  public String name() {
    return "spike";
  }

  @Override
  public Report run(ScenarioOptions o, LoadClient client, LoadRunner runner) throws Exception {
    int capacity = o.pick(32, 4);
    Duration latency = Duration.ofMillis(o.pick(100, 50));
    double rate = capacity * 1000.0 / latency.toMillis();
    int before = o.pick(10, 1);
    int spike = o.pick(10, 1);
    int after = o.pick(20, 2);
    Schedule schedule = Schedule.of(List.of(new Schedule.Phase(rate * 0.8, Duration.ofSeconds(before)),
        new Schedule.Phase(rate * 10, Duration.ofSeconds(spike)),
        new Schedule.Phase(rate * 0.8, Duration.ofSeconds(after))));
    Map<String, LoadResult> results = new LinkedHashMap<>();
    try (Launcher launcher = new Launcher(o, o.workDir())) {
      int mockPort = Proc.freePort();
      launcher.mock("mock-spike", mockPort, capacity, latency, 100_000, 0);
      List<Target> targets = new ArrayList<>();
      for (ProxyKind kind : o.proxyList()) {
        int port = Proc.freePort();
        launcher.proxy(kind, ProxySetup.limited(mockPort, capacity, capacity / 2, Duration.ofSeconds(1)), port);
        targets.add(new Target(kind.label(), port));
      }
      for (Target t : targets) {
        client.closeIdle();
        runner.run(t, ChatRequest.json(16), Schedule.constant(rate * 0.5, Duration.ofMillis(o.pick(1500, 300))),
            Duration.ofSeconds(5));
        results.put(t.name(), runner.run(t, ChatRequest.json(16), schedule, Duration.ofSeconds(5)));
        System.out.printf("spike %s: ok %d shed %d errors %d%n", t.name(), results.get(t.name()).okCount(),
            results.get(t.name()).shedCount(), results.get(t.name()).errorCount());
      }
    }
    Report r = new Report(name(), o.outDir());
    r.heading(2, "Spike: 0.8× C, then 10× C for " + spike + " s, then 0.8× C");
    r.text("Mock backend of capacity C = " + capacity + " × " + latency.toMillis() + " ms = " + Fmt.num(rate)
        + " req/s; proxies configured as in the overload scenario (limit C, queue C/2, 1 s queue wait; nginx "
        + "`limit_conn` without queue). Phases: " + before + " s at 0.8× C, " + spike + " s at 10× C, " + after
        + " s at 0.8× C. Recovery: seconds after the spike until every following second has no shed answers "
        + "or errors and a 2xx p99 within 1.5× of the pre-spike p99. " + Scenarios.machine(o));
    MarkdownTable t = new MarkdownTable("target", ">pre-spike p99 ms", ">goodput in spike req/s",
        ">goodput in spike / C", ">shed in spike", ">errors (all)", ">recovery s");
    int total = before + spike + after;
    double[] xs = new double[total];
    for (int i = 0; i < total; i++) {
      xs[i] = i;
    }
    SvgChart goodput = SvgChart.lines("Goodput over time (spike from " + before + " s to " + (before + spike)
        + " s)", "time (s)", "successful responses / s");
    SvgChart p99 = SvgChart.lines("p99 latency of 2xx responses over time", "intended start (s)", "p99 (ms)");
    for (Map.Entry<String, LoadResult> e : results.entrySet()) {
      LoadResult res = e.getValue();
      double[] g = new double[total];
      double[] p = new double[total];
      long okSpike = 0;
      long shedSpike = 0;
      long preP99 = 0;
      for (int b = 0; b < total; b++) {
        g[b] = res.okInBin(b);
        long v = res.okPercentileInBin(b, 99);
        p[b] = v < 0 ? Double.NaN : v / 1000.0;
        if (b >= before && b < before + spike) {
          okSpike += res.okInBin(b);
          shedSpike += res.shedInBin(b);
        }
        if (b < before) {
          preP99 = Math.max(preP99, v);
        }
      }
      int recovered = -1;
      for (int b = total - 1; b >= before + spike; b--) {
        long v = res.okPercentileInBin(b, 99);
        boolean calm = res.shedInBin(b) == 0 && res.errorsInBin(b) == 0 && v >= 0 && v <= preP99 * 1.5;
        if (!calm) {
          break;
        }
        recovered = b;
      }
      goodput.line(e.getKey(), xs, g);
      p99.line(e.getKey(), xs, p);
      t.row(e.getKey(), Fmt.ms(preP99), Fmt.num(okSpike / (double) spike), Fmt.pct(okSpike / (double) spike / rate),
          shedSpike, res.errorCount(), recovered < 0 ? "not within " + after + " s" : recovered - before - spike);
    }
    r.table(t);
    r.chart("goodput", "Goodput over time during the spike", goodput);
    r.chart("p99", "p99 latency over time during the spike", p99);
    r.write();
    return r;
  }
}
