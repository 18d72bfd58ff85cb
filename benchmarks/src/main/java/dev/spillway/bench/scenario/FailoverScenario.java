package dev.spillway.bench.scenario;

import dev.spillway.bench.load.ChatRequest;
import dev.spillway.bench.load.LoadClient;
import dev.spillway.bench.load.LoadResult;
import dev.spillway.bench.load.LoadRunner;
import dev.spillway.bench.load.Schedule;
import dev.spillway.bench.load.Target;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Failover: a primary tier of two mock endpoints and a backup endpoint; one primary endpoint is killed
 * (SIGKILL) a third of the way through, the other at two thirds. Reports the errors clients saw after each
 * kill and how long until they stopped. Spillway gets the backup as its second failover tier and relies on
 * retries, outlier ejection and breakers (no active health checks); nginx uses its passive failure detection and {@code backup}; HAProxy active
 * checks ({@code check inter 500ms fall 2}), {@code option redispatch} and {@code backup}.
 */
final class FailoverScenario implements Scenario {
  @Override
  public String name() {
    return "failover";
  }

  @Override
  public Report run(ScenarioOptions o, LoadClient client, LoadRunner runner) throws Exception {
    int third = o.pick(8, 1);
    double rate = o.pick(200.0, 20.0);
    Map<String, LoadResult> results = new LinkedHashMap<>();
    ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor();
    try {
      for (ProxyKind kind : o.proxyList()) {
        try (Launcher launcher = new Launcher(o, o.workDir())) {
          int a = Proc.freePort();
          int b = Proc.freePort();
          int backup = Proc.freePort();
          ChildProcess mockA = launcher.mock("mock-a-" + kind, a, 64, Duration.ofMillis(50), 1000, 0);
          ChildProcess mockB = launcher.mock("mock-b-" + kind, b, 64, Duration.ofMillis(50), 1000, 0);
          launcher.mock("mock-backup-" + kind, backup, 64, Duration.ofMillis(50), 1000, 0);
          int port = Proc.freePort();
          ProxySetup setup = ProxySetup.withBackup(List.of(a, b), backup);
          launcher.proxy(kind, setup, port);
          Target target = new Target(kind.label(), port);
          runner.run(target, ChatRequest.json(16), Schedule.constant(rate, Duration.ofMillis(500)),
              Duration.ofSeconds(5));
          LoadResult r = runner.run(target, ChatRequest.json(16),
              Schedule.constant(rate, Duration.ofSeconds(3L * third)), Duration.ofSeconds(5), Duration.ofSeconds(1),
              origin -> {
                long delay = origin - System.nanoTime();
                killer.schedule(mockB::kill, delay + TimeUnit.SECONDS.toNanos(third), TimeUnit.NANOSECONDS);
                killer.schedule(mockA::kill, delay + TimeUnit.SECONDS.toNanos(2L * third), TimeUnit.NANOSECONDS);
              });
          results.put(kind.label(), r);
          System.out.printf("failover %s: ok %d errors %d%n", kind.label(), r.okCount(), r.errorCount());
          client.closeIdle();
        }
      }
    } finally {
      killer.shutdownNow();
    }
    Report r = new Report(name(), o.outDir());
    r.heading(2, "Failover: one primary endpoint killed, then the whole primary tier");
    r.text("Two primary mock endpoints (capacity 64, 50 ms) and one backup; " + Fmt.num(rate) + " req/s "
        + "open-loop for " + 3 * third + " s; endpoint B killed (SIGKILL) at " + third + " s, endpoint A at "
        + 2 * third + " s. Spillway: defaults (power-of-two-choices, retries on another endpoint, outlier "
        + "ejection after 5 consecutive failures, breakers) with the backup as its second failover tier. nginx: defaults (passive `max_fails=1 fail_timeout=10s`, `proxy_next_upstream error "
        + "timeout`) plus `backup`. HAProxy: `check inter 500ms fall 2 rise 2`, `option redispatch`, `retries 3`, "
        + "`backup`. Errors are non-2xx answers, resets and timeouts, by intended start. Time to reroute: "
        + "from the kill to the end of the last second with errors before the next phase (\"never\" when "
        + "errors last to the end of the phase). " + Scenarios.machine(o));
    MarkdownTable t = new MarkdownTable("target", ">errors before kills", ">errors after B killed",
        ">reroute after B s", ">errors after A killed", ">reroute after A s", ">status counts");
    double[] xs = new double[3 * third];
    for (int i = 0; i < xs.length; i++) {
      xs[i] = i;
    }
    SvgChart chart = SvgChart.lines("Client-visible errors per second (B killed at " + third + " s, A at "
        + 2 * third + " s)", "intended start (s)", "errors / s");
    for (Map.Entry<String, LoadResult> e : results.entrySet()) {
      LoadResult res = e.getValue();
      double[] errs = new double[xs.length];
      for (int i = 0; i < xs.length; i++) {
        errs[i] = res.errorsInBin(i);
      }
      chart.line(e.getKey(), xs, errs);
      t.row(e.getKey(), sum(res, 0, third), sum(res, third, 2 * third), reroute(res, third, 2 * third),
          sum(res, 2 * third, 3 * third), reroute(res, 2 * third, 3 * third),
          res.statusCounts() + (res.connectErrors() + res.ioErrors() > 0
              ? " + " + (res.connectErrors() + res.ioErrors()) + " conn. errors" : "")
              + (res.timeouts() > 0 ? " + " + res.timeouts() + " timeouts" : ""));
    }
    r.table(t);
    r.chart("errors", "Client-visible errors per second during failover", chart);
    r.write();
    return r;
  }

  private static long sum(LoadResult r, int from, int to) {
    long n = 0;
    for (int b = from; b < to; b++) {
      n += r.errorsInBin(b);
    }
    return n;
  }

  private static String reroute(LoadResult r, int from, int to) {
    int last = -1;
    for (int b = from; b < to; b++) {
      if (r.errorsInBin(b) > 0) {
        last = b;
      }
    }
    if (last < 0) {
      return "0 (no errors)";
    }
    return last == to - 1 ? "never" : "≤ " + (last + 1 - from);
  }
}
