package dev.spillway.bench.scenario;

import dev.spillway.bench.load.ChatRequest;
import dev.spillway.bench.load.LoadClient;
import dev.spillway.bench.load.LoadResult;
import dev.spillway.bench.load.LoadRunner;
import dev.spillway.bench.load.Schedule;
import dev.spillway.bench.load.Target;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Soak: Spillway (512 MiB heap) in front of a mock backend at 3× its capacity for {@code -Dsoak.minutes}
 * (default 30; {@code --quick}: 20 s), with JSON requests, streams and clients that hang up mid-stream. Every
 * 10 s it samples the gateway's heap after the last GC (its own {@code spillway_overload_pressure{heap}}),
 * its RSS ({@code /proc/PID/status}) and its open descriptors ({@code /proc/PID/fd}); the report gives each
 * one's slope per hour and the leak reports and OutOfMemoryErrors in the gateway's log.
 *
 * <p>Then the overload manager's measurement: thousands of idle connections held open (as many as the
 * descriptor limit allows, at most 20,000) plus 5× overload; admitted requests must keep being served, the
 * rest shed, and no OutOfMemoryError.
 */
final class SoakScenario implements Scenario {
  private static final Duration SAMPLE_EVERY = Duration.ofSeconds(10);
  private static final Duration LATENCY = Duration.ofMillis(100);
  private static final int TOKENS = 10;
  private static final double TOKENS_PER_SECOND = 100;
  /** Seconds one request keeps a backend slot: latency plus generation. */
  private static final double SERVICE_SECONDS = LATENCY.toMillis() / 1000.0 + TOKENS / TOKENS_PER_SECOND;
  private static final Pattern HEAP_PRESSURE =
      Pattern.compile("(?m)^spillway_overload_pressure\\{resource=\"heap\"} (\\S+)$");
  private static final Pattern HEAP_MAX = Pattern.compile("(?m)^jvm_memory_max_bytes\\{area=\"heap\"[^}]*} (\\S+)$");

  /** One sample of the gateway process. */
  private record Sample(double seconds, double heapMib, double rssMib, int fds) {}

  @Override
  public String name() {
    return "soak";
  }

  @Override
  public Report run(ScenarioOptions o, LoadClient client, LoadRunner runner) throws Exception {
    Duration soak = o.pick(Duration.ofMinutes(Long.getLong("soak.minutes", 30)), Duration.ofSeconds(20));
    int capacity = o.pick(20, 8);
    double serviceRate = capacity / SERVICE_SECONDS;
    int idleTarget = o.pick(20_000, 1_000);
    try (Launcher launcher = new Launcher(o, o.workDir())) {
      int mockPort = Proc.freePort();
      launcher.mock("mock-soak", mockPort, capacity, LATENCY, 10_000, TOKENS_PER_SECOND);
      int port = Proc.freePort();
      int adminPort = Proc.freePort();
      Path log = o.workDir().resolve("spillway-soak-" + port + ".log");
      try (ChildProcess gateway = startSpillway(o, port, adminPort, mockPort, capacity, log)) {
        Target target = new Target("spillway", port);
        LoadResult warm = runner.run(target, ChatRequest.json(TOKENS),
            Schedule.constant(serviceRate / 2, Duration.ofSeconds(3)), Duration.ofSeconds(10));
        System.out.println("soak: warm-up statuses " + warm.statusCounts());
        client.closeIdle();

        List<Sample> samples = new CopyOnWriteArrayList<>();
        Soak soakRun = soak(o, runner, target, gateway, adminPort, soak, 3 * serviceRate, samples);
        client.closeIdle();
        Overload overload = overload(o, runner, target, gateway, adminPort, idleTarget, 5 * serviceRate);
        client.closeIdle();
        String text = Files.exists(log) ? Files.readString(log) : "";
        int leaks = count(text, "LEAK:");
        int ooms = count(text, "OutOfMemoryError");
        System.out.println("soak: statuses JSON " + soakRun.json().statusCounts() + ", streams "
            + soakRun.streams().statusCounts() + ", overload " + overload.result().statusCounts());
        System.out.printf("soak: %d samples, leaks %d, OOMs %d; overload: %d idle, ok %d shed %d errors %d%n",
            samples.size(), leaks, ooms, overload.idle, overload.result.okCount(), overload.result.shedCount(),
            overload.result.errorCount());
        return report(o, soak, capacity, serviceRate, samples, soakRun, overload, leaks, ooms);
      }
    }
  }

  /** What the soak phase did. */
  private record Soak(LoadResult json, LoadResult streams, long aborts) {}

  /** What the idle-connections-plus-overload phase did. */
  private record Overload(int idle, int idleLimit, LoadResult result, Sample during) {}

  private Soak soak(ScenarioOptions o, LoadRunner runner, Target target, ChildProcess gateway, int adminPort,
      Duration duration, double rate, List<Sample> samples) throws Exception {
    long start = System.nanoTime();
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    AtomicLong aborts = new AtomicLong();
    try {
      sampler.scheduleAtFixedRate(() -> samples.add(sample(gateway, adminPort, start)), 0,
          SAMPLE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
      CompletableFuture<LoadResult> streams = CompletableFuture.supplyAsync(() -> runner.run(target,
          ChatRequest.stream(TOKENS), Schedule.constant(rate * 0.4, duration), Duration.ofSeconds(15)));
      CompletableFuture<Void> aborter = CompletableFuture.runAsync(() -> abortStreams(target.port(), duration,
          Math.max(1, rate * 0.05), aborts));
      LoadResult json = runner.run(target, ChatRequest.json(TOKENS), Schedule.constant(rate * 0.55, duration),
          Duration.ofSeconds(15));
      LoadResult stream = streams.get(duration.toSeconds() + 60, TimeUnit.SECONDS);
      aborter.get(duration.toSeconds() + 60, TimeUnit.SECONDS);
      samples.add(sample(gateway, adminPort, start));
      return new Soak(json, stream, aborts.get());
    } finally {
      sampler.shutdownNow();
    }
  }

  /** Clients that ask for a stream, read its first bytes and hang up. */
  private static void abortStreams(int port, Duration duration, double perSecond, AtomicLong aborts) {
    byte[] request = ("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "Content-Length: 72\r\n\r\n{\"model\":\"m\",\"stream\":true,\"max_tokens\":50,\"messages\":[{\"role\":\"user\"}]}")
        .getBytes(StandardCharsets.ISO_8859_1);
    long end = System.nanoTime() + duration.toNanos();
    long interval = (long) (1e9 / perSecond);
    while (System.nanoTime() - end < 0) {
      long next = System.nanoTime() + interval;
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
        s.setSoTimeout(1000);
        s.getOutputStream().write(request);
        InputStream in = s.getInputStream();
        in.read(new byte[200]);
        aborts.incrementAndGet();
      } catch (IOException e) {
        // Shed or timed out: the hang-up still happened.
      }
      long wait = next - System.nanoTime();
      if (wait > 0) {
        ChildProcess.sleep(TimeUnit.NANOSECONDS.toMillis(wait));
      }
    }
  }

  private Overload overload(ScenarioOptions o, LoadRunner runner, Target target, ChildProcess gateway,
      int adminPort, int idleTarget, double rate) throws IOException {
    // This process holds the idle connections and the load's; the gateway holds as many again, plus backends.
    int limit = (int) Math.min(idleTarget, openFileLimit() - 3_000);
    List<SocketChannel> idle = new ArrayList<>();
    try {
      for (int i = 0; i < limit; i++) {
        try {
          idle.add(SocketChannel.open(new InetSocketAddress("127.0.0.1", target.port())));
        } catch (IOException e) {
          break;
        }
      }
      System.out.printf("soak: %d idle connections open%n", idle.size());
      long start = System.nanoTime();
      Sample[] during = new Sample[1];
      ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
      Duration length = Duration.ofSeconds(o.pick(30, 10));
      LoadResult result;
      try {
        sampler.schedule(() -> during[0] = sample(gateway, adminPort, start), length.toMillis() / 2,
            TimeUnit.MILLISECONDS);
        result = runner.run(target, ChatRequest.json(TOKENS), Schedule.constant(rate, length),
            Duration.ofSeconds(15));
      } finally {
        sampler.shutdownNow();
      }
      return new Overload(idle.size(), limit, result, during[0]);
    } finally {
      for (SocketChannel ch : idle) {
        ch.close();
      }
    }
  }

  /** The soft limit on open files of this process ({@code /proc/self/limits}), or 1024 when unknown. */
  private static long openFileLimit() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (line.startsWith("Max open files")) {
          return Long.parseLong(line.substring(26).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return 1024;
    }
    return 1024;
  }

  private static Sample sample(ChildProcess gateway, int adminPort, long start) {
    double seconds = (System.nanoTime() - start) / 1e9;
    double heapMib = Double.NaN;
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics"))
          .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString()).body();
      Matcher pressure = HEAP_PRESSURE.matcher(metrics);
      double max = 0;
      Matcher m = HEAP_MAX.matcher(metrics);
      while (m.find()) {
        max += Math.max(0, Double.parseDouble(m.group(1)));
      }
      if (pressure.find() && max > 0) {
        heapMib = Double.parseDouble(pressure.group(1)) * max / (1024 * 1024);
      }
    } catch (IOException | RuntimeException e) {
      // The admin server did not answer in time: the sample has no heap figure.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    int fds = 0;
    try (var list = Files.list(Path.of("/proc", Long.toString(gateway.pid()), "fd"))) {
      fds = (int) list.count();
    } catch (IOException e) {
      fds = -1;
    }
    return new Sample(seconds, heapMib, gateway.rssKib() / 1024.0, fds);
  }

  private static ChildProcess startSpillway(ScenarioOptions o, int port, int adminPort, int mockPort, int capacity,
      Path log) throws IOException {
    String yaml = "server:\n  host: 127.0.0.1\n  port: " + port + "\n  shutdownTimeout: 0\n"
        + "  overload: {maxConnections: 25000}\n"
        + "admin: {enabled: true, host: 127.0.0.1, port: " + adminPort + "}\n"
        + "accessLog: {enabled: false}\n"
        + "backends:\n  mock:\n    endpoints: [http://127.0.0.1:" + mockPort + "]\n"
        + "    pool: {maxConnections: 1000}\n"
        + "    concurrency: " + capacity + "\n"
        // The queue bounds the wait (2 × capacity at the backend's pace is well under a second); maxWait stays far
        // above any time to first byte, since a request whose deadline (now + maxWait) is nearer than the
        // expected time to first byte is shed at once, and a few slow responses (a cold JVM, queueing) would
        // otherwise make that every request.
        + "    waitingRoom: {maxQueue: " + 2 * capacity + ", maxWait: 30s}\n"
        + "routes:\n  - name: all\n    backend: mock\n";
    Path config = o.workDir().resolve("spillway-soak-" + port + ".yaml");
    Files.writeString(config, yaml);
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java));
    cmd.addAll(o.spillwayJvmArgs());
    cmd.add("-Dio.netty.leakDetection.level=simple");
    if (Files.isRegularFile(o.spillwayJar())) {
      cmd.addAll(List.of("-jar", o.spillwayJar().toString()));
    } else {
      cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.spillway.server.Main"));
    }
    cmd.addAll(List.of("run", "--config", config.toString()));
    return ChildProcess.start("spillway-soak", cmd, log).awaitPort(port, 30_000);
  }

  private static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
      n++;
    }
    return n;
  }

  /** Least-squares slope of {@code ys} over the samples' times, per hour (after the first minute, if longer). */
  private static double slopePerHour(List<Sample> samples, java.util.function.ToDoubleFunction<Sample> ys) {
    List<Sample> used = samples.stream().filter(s -> !Double.isNaN(ys.applyAsDouble(s))).toList();
    if (used.size() > 8) {
      used = used.stream().filter(s -> s.seconds() >= 60).toList();
    }
    int n = used.size();
    if (n < 2) {
      return Double.NaN;
    }
    double mx = used.stream().mapToDouble(Sample::seconds).average().orElse(0);
    double my = used.stream().mapToDouble(ys).average().orElse(0);
    double num = 0;
    double den = 0;
    for (Sample s : used) {
      num += (s.seconds() - mx) * (ys.applyAsDouble(s) - my);
      den += (s.seconds() - mx) * (s.seconds() - mx);
    }
    return den == 0 ? Double.NaN : num / den * 3600;
  }

  private Report report(ScenarioOptions o, Duration soak, int capacity, double serviceRate, List<Sample> samples,
      Soak run, Overload overload, int leaks, int ooms) {
    Report r = new Report(name(), o.outDir());
    r.heading(2, "Soak: " + Fmt.num(soak.toSeconds() / 60.0) + " minutes at 3× overload");
    r.text("Spillway (`" + String.join(" ", o.spillwayJvmArgs()) + "`) in front of a mock backend that serves "
        + capacity + " requests at a time (" + LATENCY.toMillis() + " ms, then " + TOKENS + " tokens at "
        + Fmt.num(TOKENS_PER_SECOND) + "/s: about " + Fmt.num(serviceRate) + " requests/s); Spillway's backend "
        + "concurrency is " + capacity + " with a waiting room of " + 2 * capacity + " (30 s maximum wait; the queue is the bound). Offered: "
        + Fmt.num(3 * serviceRate) + " requests/s, 55 % JSON and 40 % streams through the load client, 5 % "
        + "raw clients that ask for a stream, read its first bytes and hang up. Every "
        + SAMPLE_EVERY.toSeconds() + " s: heap in use after the last GC (Spillway's own "
        + "`spillway_overload_pressure{resource=\"heap\"}` × max heap), RSS (`/proc/PID/status`) and open "
        + "descriptors (`/proc/PID/fd`). Slopes are least-squares fits per hour, after the first minute when "
        + "the run is longer than that. " + Scenarios.machine(o));
    MarkdownTable totals = new MarkdownTable("traffic", ">ok", ">shed", ">errors", ">timeouts");
    totals.row("JSON", run.json().okCount(), run.json().shedCount(), run.json().errorCount(), run.json().timeouts());
    totals.row("streams", run.streams().okCount(), run.streams().shedCount(), run.streams().errorCount(),
        run.streams().timeouts());
    totals.row("hung up mid-stream", run.aborts(), "-", "-", "-");
    r.table(totals);
    Sample first = samples.isEmpty() ? null : samples.get(0);
    Sample last = samples.isEmpty() ? null : samples.get(samples.size() - 1);
    MarkdownTable growth = new MarkdownTable("measure", ">first", ">last", ">slope per hour");
    growth.row("heap after GC, MiB", first == null ? "-" : Fmt.num(first.heapMib()),
        last == null ? "-" : Fmt.num(last.heapMib()), Fmt.num(slopePerHour(samples, Sample::heapMib)));
    growth.row("RSS, MiB", first == null ? "-" : Fmt.num(first.rssMib()), last == null ? "-" : Fmt.num(last.rssMib()),
        Fmt.num(slopePerHour(samples, Sample::rssMib)));
    growth.row("open descriptors", first == null ? "-" : first.fds(), last == null ? "-" : last.fds(),
        Fmt.num(slopePerHour(samples, Sample::fds)));
    r.table(growth);
    r.text("Leak reports (`LEAK:`) in the gateway's log: **" + leaks + "**. OutOfMemoryErrors: **" + ooms + "**.");
    if (samples.size() >= 2) {
      double[] xs = samples.stream().mapToDouble(s -> s.seconds() / 60).toArray();
      r.chart("memory", "Heap after GC and RSS over the soak", SvgChart.lines("Gateway memory", "minutes", "MiB")
          .line("heap after GC", xs, samples.stream().mapToDouble(Sample::heapMib).toArray())
          .line("RSS", xs, samples.stream().mapToDouble(Sample::rssMib).toArray()));
    }
    r.heading(3, "Idle connections plus 5× overload");
    LoadResult res = overload.result();
    r.text(overload.idle() + " idle connections held open (target " + o.pick(20_000, 1_000) + ", limited to "
        + overload.idleLimit() + " by this machine's open-file limit of " + openFileLimit() + " per process), then "
        + Fmt.num(5 * serviceRate) + " requests/s for " + o.pick(30, 10) + " s on the same 512 MiB heap.");
    MarkdownTable t = new MarkdownTable(">idle connections", ">ok", ">shed", ">errors", ">ok p99 ms",
        ">heap after GC MiB", ">RSS MiB", ">descriptors", ">OutOfMemoryErrors");
    Sample d = overload.during();
    t.row(overload.idle(), res.okCount(), res.shedCount(), res.errorCount(), Fmt.ms(res.okLatency(), 99),
        d == null ? "-" : Fmt.num(d.heapMib()), d == null ? "-" : Fmt.num(d.rssMib()), d == null ? "-" : d.fds(),
        ooms);
    r.table(t);
    r.write();
    return r;
  }
}
