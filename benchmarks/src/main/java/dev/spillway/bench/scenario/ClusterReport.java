package dev.spillway.bench.scenario;

import dev.spillway.bench.load.LoadResult;
import java.util.ArrayList;
import java.util.List;

/** The cluster scenario's page: admitted per minute against the bound, and the cost of the Redis store. */
final class ClusterReport {
  private ClusterReport() {}

  /** One window of the shared run: its requests admitted and the most the limit allows in it. */
  record Window(String label, long admitted, long bound) {
    boolean within() {
      return admitted <= bound;
    }
  }

  static Report write(ScenarioOptions o, String name, ClusterScenario.Results r) {
    Report report = new Report(name, o.outDir());
    long capacity = ClusterScenario.REQUESTS_PER_MINUTE;
    long batch = (long) Math.floor(capacity * ClusterScenario.BATCH);
    long tokenBatch = (long) Math.floor(capacity * r.tokensPerRequest * ClusterScenario.BATCH);
    int n = ClusterScenario.INSTANCES;
    report.heading(2, "Cluster: limits shared by three gateways on one Redis");
    report.text("Three Spillway processes (`limiterStore: {type: redis, timeout: "
        + ClusterScenario.REDIS_TIMEOUT.toMillis() + "ms, batch: " + ClusterScenario.BATCH
        + ", expectedInstances: " + n + "}`), one `redis-server` and one mock backend (1 ms, non-streamed "
        + "answers of " + r.tokensPerRequest + " tokens in `usage`), all on this machine. Tenant `requests` "
        + "has `rpm: " + capacity + "/1m`; tenant `tokens` has `tpm: " + capacity * r.tokensPerRequest
        + "/1m` (" + capacity + " of its requests). Each tenant is offered " + Fmt.num(r.sharedRate / 2)
        + " req/s (three times its limit), open-loop, its requests going round the three gateways in turn, for "
        + r.sharedRun.toSeconds() + " s. Admitted = 200 answers, counted by completion second. A bucket starts "
        + "full, so the first minute may admit the full bucket plus a minute of refill; every minute may add "
        + "one lease (batch) per instance: " + batch + " requests, or " + tokenBatch + " tokens. "
        + Scenarios.machine(o));
    MarkdownTable shared = new MarkdownTable("tenant", "window", ">admitted", ">bound", "within");
    List<Window> requestWindows = windows(r.shared[0], r.sharedRun.toSeconds(), capacity, batch * n, 1);
    List<Window> tokenWindows = windows(r.shared[1], r.sharedRun.toSeconds(), capacity * r.tokensPerRequest,
        tokenBatch * n, r.tokensPerRequest);
    for (Window w : requestWindows) {
      shared.row("requests (requests)", w.label(), count(w.admitted()), count(w.bound()),
          w.within() ? "yes" : "**no**");
    }
    for (Window w : tokenWindows) {
      shared.row("tokens (tokens)", w.label(), count(w.admitted()), count(w.bound()),
          w.within() ? "yes" : "**no**");
    }
    report.table(shared);
    long admitted = r.shared[0].okCount() + r.shared[1].okCount();
    long refused = r.shared[0].shedCount() + r.shared[1].shedCount();
    long errors = r.shared[0].errorCount() + r.shared[1].errorCount();
    report.text("Answers: " + admitted + " admitted (200), " + refused + " refused (429), " + errors
        + " errors. Redis ran " + r.sharedCommands + " commands (" + ratio(r.sharedCommands, admitted)
        + " per admitted request); the gateways made " + count(r.sharedCounters.operations())
        + " limiter-store operations (" + ratio(r.sharedCounters.operations(), admitted) + " per admitted "
        + "request), " + count(r.sharedCounters.timeouts()) + " of them past the deadline, and "
        + count(r.sharedCounters.fallbacks()) + " decisions fell back to the failure policy.");

    report.heading(3, "The cost of the Redis store");
    report.text("The same three gateways, mock and load shape, with limits that admit everything (each tenant "
        + "at half its limit), " + Fmt.num(r.costRate) + " req/s in total for " + r.costRun.toSeconds()
        + " s after a warm-up, once with `limiterStore: local` and once on Redis. Latency from the intended "
        + "start of each request, through the gateway to the mock and back. A Bucket4j operation is one command "
        + "on one bucket (a lease taken or tokens given back); each costs Redis a read and a compare-and-swap.");
    MarkdownTable cost = new MarkdownTable("store", ">offered req/s", ">admitted req/s", ">p50 ms", ">p99 ms",
        ">p99.9 ms", ">errors", ">store operations", ">Redis commands", ">commands per admitted request",
        ">fallback decisions");
    for (ClusterScenario.CostRow row : r.cost) {
      org.HdrHistogram.Histogram latency = new org.HdrHistogram.Histogram(3);
      long ok = 0;
      long bad = 0;
      for (LoadResult lr : row.results()) {
        latency.add(lr.okLatency());
        ok += lr.okCount();
        bad += lr.errorCount() + lr.shedCount();
      }
      cost.row(row.store(), Fmt.num(r.costRate), Fmt.num((double) ok / r.costRun.toSeconds()),
          Fmt.ms(latency, 50), Fmt.ms(latency, 99), Fmt.ms(latency, 99.9), bad,
          count(row.counters().operations()), row.store().equals("redis") ? count(row.redisCommands()) : "–",
          row.store().equals("redis") ? ratio(row.redisCommands(), ok) : "–",
          count(row.counters().fallbacks()));
    }
    report.table(cost);
    report.write();
    return report;
  }

  /**
   * The run cut into minutes (the last one shorter, counting the answers that completed after the run),
   * then the whole run. {@code unit} converts admitted requests to what the limit counts.
   */
  static List<Window> windows(LoadResult result, long runSeconds, long perMinute, long slack, long unit) {
    List<Window> out = new ArrayList<>();
    long total = 0;
    for (long start = 0; start < runSeconds; start += 60) {
      long end = Math.min(runSeconds, start + 60);
      long ok = 0;
      int last = end >= runSeconds ? result.binCount() : (int) end;
      for (int bin = (int) start; bin < last; bin++) {
        ok += result.okInBin(bin);
      }
      total += ok;
      long refill = perMinute * (end - start) / 60;
      long bound = refill + (start == 0 ? perMinute : 0) + slack;
      out.add(new Window(start + "–" + end + " s" + (start == 0 ? " (bucket full at 0 s)" : ""), ok * unit, bound));
    }
    if (out.size() > 1) {
      out.add(new Window("whole run", total * unit, perMinute + perMinute * runSeconds / 60 + slack));
    }
    return out;
  }

  private static String count(double v) {
    return String.format(java.util.Locale.ROOT, "%,d", Math.round(v));
  }

  private static String ratio(double part, double whole) {
    return whole == 0 ? "–" : String.format(java.util.Locale.ROOT, "%.4f", part / whole);
  }
}
