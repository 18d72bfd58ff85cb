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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Many concurrent SSE streams: opened at a steady rate until N are open at once, each lasting about 20 s.
 * Measures time to first token directly and through each proxy, stalls (silences well past the token
 * interval), and the proxy's resident memory (VmRSS of its process tree) idle and with all streams open.
 * Each target gets a fresh mock backend and proxy, so idle pooled connections of one do not count for the
 * next. N is capped by the open-file limit: a proxy needs two descriptors per stream.
 */
final class StreamsScenario implements Scenario {
  /** One target's numbers. */
  private record Row(LoadResult result, long idleKib, long peakKib, int open) {}

  @Override
  public String name() {
    return "streams";
  }

  @Override
  public Report run(ScenarioOptions o, LoadClient client, LoadRunner runner) throws Exception {
    int streams = o.pick(9_500, 50);
    double openRate = o.pick(1000.0, 50.0);
    double tokensPerSecond = o.pick(1.0, 10.0);
    int tokens = o.pick(20, 10);
    Duration stall = Duration.ofMillis(o.pick(3000, 500));
    Duration ramp = Duration.ofMillis((long) (streams / openRate * 1000));
    long sampleAfter = ramp.toNanos() + TimeUnit.MILLISECONDS.toNanos(o.pick(3000, 300));
    ChatRequest request = ChatRequest.stream(tokens);
    Map<String, Row> rows = new LinkedHashMap<>();
    List<ProxyKind> kinds = new ArrayList<>();
    kinds.add(null);
    kinds.addAll(o.proxyList());
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    try {
      for (ProxyKind kind : kinds) {
        try (Launcher launcher = new Launcher(o, o.workDir())) {
          int mockPort = Proc.freePort();
          launcher.mock("mock-streams", mockPort, streams + 100, Duration.ofMillis(50), 1000, tokensPerSecond);
          ChildProcess proxy = null;
          Target target = new Target("direct", mockPort);
          if (kind != null) {
            int port = Proc.freePort();
            proxy = launcher.proxy(kind, ProxySetup.plain(List.of(mockPort)), port);
            target = new Target(kind.label(), port);
          }
          runner.run(target, ChatRequest.stream(2), Schedule.constant(20, Duration.ofMillis(500)),
              Duration.ofSeconds(10));
          client.closeIdle();
          ChildProcess.sleep(500);
          ChildProcess measured = proxy;
          long idle = proxy == null ? 0 : proxy.rssKib();
          long[] peak = new long[1];
          int[] open = new int[1];
          LoadResult r = runner.run(target, request, Schedule.constant(openRate, ramp),
              Duration.ofSeconds(o.pick(60, 10)), stall, origin -> sampler.schedule(() -> {
                open[0] = client.openConnections();
                peak[0] = measured == null ? 0 : measured.rssKib();
              }, origin - System.nanoTime() + sampleAfter, TimeUnit.NANOSECONDS));
          rows.put(target.name(), new Row(r, idle, peak[0], open[0]));
          System.out.printf("streams %s: ok %d errors %d open at sample %d rss %d KiB -> %d KiB%n", target.name(),
              r.okCount(), r.errorCount(), open[0], idle, peak[0]);
          client.closeIdle();
        }
      }
    } finally {
      sampler.shutdownNow();
    }
    return report(o, rows, streams, openRate, tokens, tokensPerSecond, stall);
  }

  private Report report(ScenarioOptions o, Map<String, Row> rows, int streams, double openRate, int tokens,
      double tokensPerSecond, Duration stall) {
    Report r = new Report(name(), o.outDir());
    r.heading(2, "Streams: " + streams + " concurrent SSE streams");
    r.text(streams + " streams opened at " + Fmt.num(openRate) + "/s; the mock backend answers each after 50 ms "
        + "with " + tokens + " tokens at " + Fmt.num(tokensPerSecond) + " token/s, so all are open at once "
        + "for a while. Memory is the VmRSS of the proxy's process tree (nginx: master and workers), idle "
        + "after a warm-up and when all streams are open; per stream = (open − idle) / streams open. A "
        + "stall is a silence of more than " + stall.toMillis() + " ms inside a stream. TTFT is from the "
        + "intended start to the first `data:` event. Spillway does not expose Netty's direct memory, so only "
        + "RSS is reported. " + Scenarios.machine(o));
    MarkdownTable t = new MarkdownTable("target", ">streams ok", ">errors", ">stalls", ">open at sample",
        ">TTFT p50 ms", ">TTFT p99 ms", ">added TTFT p99 ms", ">RSS idle MiB", ">RSS open MiB", ">KiB per stream",
        ">projected 10k MiB");
    Row direct = rows.get("direct");
    List<String> proxies = new ArrayList<>();
    List<Double> rss = new ArrayList<>();
    for (Map.Entry<String, Row> e : rows.entrySet()) {
      Row row = e.getValue();
      LoadResult res = row.result();
      boolean proxy = !e.getKey().equals("direct");
      double perStream = row.open() > 0 ? (row.peakKib() - row.idleKib()) / (double) row.open() : Double.NaN;
      t.row(e.getKey(), res.okCount(), res.errorCount() + res.shedCount(), res.stalls(), row.open(),
          Fmt.ms(res.timeToFirstToken(), 50), Fmt.ms(res.timeToFirstToken(), 99),
          direct == null ? "-" : Fmt.ms(res.timeToFirstToken().getValueAtPercentile(99)
              - direct.result().timeToFirstToken().getValueAtPercentile(99)),
          proxy ? Fmt.num(row.idleKib() / 1024.0) : "-", proxy ? Fmt.num(row.peakKib() / 1024.0) : "-",
          proxy ? Fmt.num(perStream) : "-",
          proxy ? Fmt.num((row.idleKib() + perStream * 10_000) / 1024.0) : "-");
      if (proxy) {
        proxies.add(e.getKey());
        rss.add(row.peakKib() / 1024.0);
      }
    }
    r.table(t);
    if (!proxies.isEmpty()) {
      r.chart("rss", "Proxy memory with all streams open", SvgChart.bars("Proxy RSS with " + streams
          + " streams open", "MiB", proxies).bar("RSS", rss.stream().mapToDouble(Double::doubleValue).toArray()));
    }
    r.write();
    return r;
  }
}
