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
 * Proxy overhead: the same open-loop load straight to a fast mock backend and through each proxy, in
 * interleaved rounds (direct, Spillway, nginx, HAProxy, direct, ...) so drifting machine noise hits all
 * alike. Reports throughput, p50/p99/p99.9 and each proxy's ratio to the direct path.
 */
final class OverheadScenario implements Scenario {
  @Override
  public String name() {
    return "overhead";
  }

  @Override
  public Report run(ScenarioOptions o, LoadClient client, LoadRunner runner) throws Exception {
    double[] rates = o.pick(new double[] {1000, 3000}, new double[] {50});
    int rounds = o.pick(2, 1);
    Duration step = Duration.ofMillis(o.pick(5000, 1000));
    Duration timeout = Duration.ofSeconds(5);
    ChatRequest request = ChatRequest.json(16);
    List<Target> targets = new ArrayList<>();
    // rate index -> target -> [ok latency, count of ok, count of errors, seconds]
    List<Map<String, Acc>> acc = new ArrayList<>();
    try (Launcher launcher = new Launcher(o, o.workDir())) {
      int mockPort = Proc.freePort();
      launcher.mock("mock-overhead", mockPort, 100_000, Duration.ofMillis(1), 100_000, 0);
      targets.add(new Target("direct", mockPort));
      for (ProxyKind kind : o.proxyList()) {
        int port = Proc.freePort();
        launcher.proxy(kind, ProxySetup.plain(List.of(mockPort)), port);
        targets.add(new Target(kind.label(), port));
      }
      for (Target t : targets) {
        runner.run(t, request, Schedule.constant(rates[0], Duration.ofMillis(o.pick(3000, 300))), timeout);
      }
      for (double rate : rates) {
        Map<String, Acc> byTarget = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
          for (Target t : targets) {
            client.closeIdle();
            LoadResult r = runner.run(t, request, Schedule.constant(rate, step), timeout);
            byTarget.computeIfAbsent(t.name(), k -> new Acc()).add(r, step.toMillis() / 1000.0);
            System.out.printf("overhead %s %.0f/s: ok %d errors %d p99 %s ms%n", t.name(), rate, r.okCount(),
                r.errorCount(), Fmt.ms(r.okLatency(), 99));
          }
        }
        acc.add(byTarget);
      }
    }
    return report(o, rates, rounds, step, acc);
  }

  private Report report(ScenarioOptions o, double[] rates, int rounds, Duration step, List<Map<String, Acc>> acc) {
    Report r = new Report(name(), o.outDir());
    r.heading(2, "Overhead: direct vs through each proxy");
    r.text("Mock backend with room for everything (capacity 100,000, 1 ms latency, 16 tokens, non-streamed). "
        + "Open-loop at each offered rate, " + rounds + " interleaved round(s) of " + step.toSeconds()
        + " s per target, after a warm-up run; keep-alive connections, one per in-flight request. "
        + "Latency from the intended start. Added = proxy − direct. " + Scenarios.machine(o));
    MarkdownTable t = new MarkdownTable("offered req/s", "target", ">req/s (2xx)", ">p50 ms", ">p99 ms", ">p99.9 ms",
        ">errors", ">req/s vs direct", ">added p50 ms", ">added p99 ms");
    List<String> names = new ArrayList<>(acc.get(acc.size() - 1).keySet());
    SvgChart chart = SvgChart.bars("Latency at " + Fmt.num(rates[rates.length - 1]) + " req/s offered",
        "latency (ms)", names);
    for (int i = 0; i < rates.length; i++) {
      Acc direct = acc.get(i).get("direct");
      for (Map.Entry<String, Acc> e : acc.get(i).entrySet()) {
        Acc a = e.getValue();
        t.row(Fmt.num(rates[i]), e.getKey(), Fmt.num(a.rate()), Fmt.ms(a.ok, 50), Fmt.ms(a.ok, 99),
            Fmt.ms(a.ok, 99.9), a.errors, Fmt.ratio(a.rate() / direct.rate()),
            Fmt.ms(a.ok.getValueAtPercentile(50) - direct.ok.getValueAtPercentile(50)),
            Fmt.ms(a.ok.getValueAtPercentile(99) - direct.ok.getValueAtPercentile(99)));
      }
    }
    Map<String, Acc> last = acc.get(acc.size() - 1);
    for (double p : new double[] {50, 99, 99.9}) {
      chart.bar("p" + Fmt.num(p).replace(".0", ""), names.stream().mapToDouble(n -> Fmt.msValue(last.get(n).ok, p))
          .toArray());
    }
    r.table(t);
    r.chart("latency", "Latency percentiles per target", chart);
    r.write();
    return r;
  }

  /** The merged rounds of one target at one rate. */
  private static final class Acc {
    final Histogram ok = new Histogram(3);
    long okCount;
    long errors;
    double seconds;

    void add(LoadResult r, double s) {
      ok.add(r.okLatency());
      okCount += OverloadScenario.goodput(r, s) * Math.max(1, Math.round(s));
      errors += r.errorCount() + r.shedCount();
      seconds += Math.max(1, Math.round(s));
    }

    double rate() {
      return okCount / seconds;
    }
  }
}
