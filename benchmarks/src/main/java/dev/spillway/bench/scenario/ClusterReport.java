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
    report.heading(2, "Cluster: limits shared by three gateways on one Redis");
    report.text("Three Spillway processes (`limiterStore: {type: redis, timeout: "
        + ClusterScenario.REDIS_TIMEOUT.toMillis() + "ms, batch: " + ClusterScenario.BATCH
        + ", expectedInstances: " + ClusterScenario.INSTANCES + "}`), one `redis-server` and one mock backend "
        + "(1 ms, non-streamed answers of " + r.tokensPerRequest + " tokens in `usage`), all on this machine, "
        + "with the load generator. " + Scenarios.machine(o));
    if (r.shared != null) {
      shared(report, r);
    }
    if (!r.cost.isEmpty()) {
      cost(report, r);
    }
    report.write();
    return report;
  }

  private static void shared(Report report, ClusterScenario.Results r) {
    long capacity = ClusterScenario.REQUESTS_PER_MINUTE;
    long batch = (long) Math.floor(capacity * ClusterScenario.BATCH);
    long tokenBatch = (long) Math.floor(capacity * r.tokensPerRequest * ClusterScenario.BATCH);
    int n = ClusterScenario.INSTANCES;
    report.heading(3, "Admitted per minute against the limit");
    report.text("Tenant `requests` has `rpm: " + capacity + "/1m`; tenant `tokens` has `tpm: "
        + capacity * r.tokensPerRequest + "/1m` (" + capacity + " of its requests). Each is offered "
        + Fmt.num(r.sharedRate / 2) + " req/s (three times its limit), open-loop, its requests going round the "
        + "three gateways in turn, for " + r.sharedRun.toSeconds() + " s, after " + r.warmUp.toSeconds()
        + " s of the same load from two other tenants of the same tiers (JIT warm-up; the measured tenants' "
        + "buckets start full). Admitted = 200 answers, counted by completion second. A full bucket may be "
        + "spent in the first minute on top of that minute's refill; every window may add one lease (batch) per "
        + "instance: " + batch + " requests, or " + tokenBatch + " tokens. Load average at the start: "
        + r.sharedLoad + ".");
    MarkdownTable shared = new MarkdownTable("tenant (unit)", "window", ">admitted", ">bound", "within");
    for (Window w : windows(r.shared[0], r.sharedRun.toSeconds(), capacity, batch * n, 1)) {
      shared.row("requests (requests)", w.label(), count(w.admitted()), count(w.bound()),
          w.within() ? "yes" : "**no**");
    }
    for (Window w : windows(r.shared[1], r.sharedRun.toSeconds(), capacity * r.tokensPerRequest, tokenBatch * n,
        r.tokensPerRequest)) {
      shared.row("tokens (tokens)", w.label(), count(w.admitted()), count(w.bound()),
          w.within() ? "yes" : "**no**");
    }
    report.table(shared);
    long admitted = r.shared[0].okCount() + r.shared[1].okCount();
    long refused = r.shared[0].shedCount() + r.shared[1].shedCount();
    report.text("Answers: " + count(admitted) + " admitted (200), " + count(refused) + " refused (429); "
        + errors(r.shared) + ". Redis ran " + count(r.sharedCommands) + " commands ("
        + ratio(r.sharedCommands, admitted) + " per admitted request); the gateways made "
        + count(r.sharedCounters.operations()) + " limiter-store operations (" + ratio(r.sharedCounters.operations(),
        admitted) + " per admitted request), " + count(r.sharedCounters.timeouts()) + " of them past the deadline, "
        + "and " + count(r.sharedCounters.fallbacks()) + " decisions fell back to the failure policy (`local`).");
  }

  private static void cost(Report report, ClusterScenario.Results r) {
    report.heading(3, "The cost of the Redis store");
    report.text("The same load shape under limits that admit everything (each tenant at half its limit): "
        + Fmt.num(r.costRate) + " req/s in total through three gateways with `limiterStore: local` and through three "
        + "on Redis, both sets running side by side, warmed up alike (" + r.warmUp.toSeconds() + " s), then "
        + "loaded in turns for " + r.costRun.toSeconds() + " s each. Latency from the intended start of each "
        + "request, through a gateway to the mock and back. A store operation is one Bucket4j command on one "
        + "bucket (a lease taken or tokens given back); Redis commands are counted by Redis itself "
        + "(`INFO commandstats`).");
    MarkdownTable cost = new MarkdownTable("store", ">round", "load average", ">admitted req/s", ">p50 ms",
        ">p99 ms", ">p99.9 ms", "errors", ">store operations", ">Redis commands", ">commands per admitted request",
        ">fallback decisions");
    for (ClusterScenario.CostRow row : r.cost) {
      org.HdrHistogram.Histogram latency = new org.HdrHistogram.Histogram(3);
      long ok = 0;
      for (LoadResult lr : row.results()) {
        latency.add(lr.okLatency());
        ok += lr.okCount();
      }
      boolean redis = row.store().equals("redis");
      cost.row(row.store(), row.round(), row.loadAverage(), Fmt.num((double) ok / r.costRun.toSeconds()),
          Fmt.ms(latency, 50), Fmt.ms(latency, 99), Fmt.ms(latency, 99.9), errors(row.results()),
          count(row.counters().operations()), redis ? count(row.redisCommands()) : "–",
          redis ? ratio(row.redisCommands(), ok) : "–", count(row.counters().fallbacks()));
    }
    report.table(cost);
  }

  /** Errors by kind: client timeouts, connection failures, I/O errors and statuses other than 200 and 429. */
  private static String errors(LoadResult[] results) {
    long timeouts = 0;
    long connect = 0;
    long io = 0;
    java.util.Map<Integer, Long> statuses = new java.util.TreeMap<>();
    for (LoadResult lr : results) {
      timeouts += lr.timeouts();
      connect += lr.connectErrors();
      io += lr.ioErrors();
      lr.statusCounts().forEach((status, c) -> {
        if (status != 200 && status != 429 && status > 0) {
          statuses.merge(status, c, Long::sum);
        }
      });
    }
    if (timeouts + connect + io == 0 && statuses.isEmpty()) {
      return "no errors";
    }
    return "errors: " + timeouts + " timeouts, " + connect + " connect, " + io + " I/O"
        + (statuses.isEmpty() ? "" : ", statuses " + statuses);
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
