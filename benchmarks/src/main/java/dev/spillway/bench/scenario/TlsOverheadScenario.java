package dev.spillway.bench.scenario;

import dev.spillway.bench.load.Handshakes;
import dev.spillway.bench.load.JdkHttpLoad;
import dev.spillway.bench.load.LoadClient;
import dev.spillway.bench.load.LoadRunner;
import dev.spillway.server.tls.Certificates;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The cost of TLS and of HTTP/2 towards clients: Spillway and nginx in front of the same fast mock backend,
 * each reached in plain HTTP/1.1, HTTP/1.1 over TLS and HTTP/2 over TLS (ALPN), with one self-signed
 * certificate for both. Per path: an open-loop run at a fixed rate (req/s and p99) and a closed-loop run at
 * a fixed concurrency (the most req/s); per TLS listener: full handshakes per second. All through the JDK
 * HTTP client, which multiplexes HTTP/2. Reported as ratios: TLS/plain, h2/h1, Spillway/nginx.
 */
final class TlsOverheadScenario implements Scenario {
  @Override
  public String name() {
    return "tls-overhead";
  }

  /** One way to reach one proxy. */
  private record Path3(String proxy, String protocol, URI uri, HttpClient.Version version, boolean tls) {
    String key() {
      return proxy + " " + protocol;
    }
  }

  @Override
  public Report run(ScenarioOptions o, LoadClient unusedClient, LoadRunner unusedRunner) throws Exception {
    String uptimeBefore = uptime();
    double rate = o.pick(500.0, 20.0);
    Duration step = Duration.ofMillis(o.pick(8000, 500));
    Duration warm = Duration.ofMillis(o.pick(3000, 200));
    int concurrency = o.pick(32, 4);
    int rounds = o.pick(2, 1);
    Duration handshakeTime = Duration.ofMillis(o.pick(5000, 500));
    Duration timeout = Duration.ofSeconds(5);
    Path dir = o.workDir().resolve("tls-overhead");
    java.nio.file.Files.createDirectories(dir);
    Certificates.Issued issued = Certificates.selfSigned("127.0.0.1", "localhost");
    Certificates.PemPair pem = issued.written(dir, "server");
    SSLContext ssl = trusting(issued);

    List<Path3> paths = new ArrayList<>();
    Map<String, Integer> tlsPorts = new LinkedHashMap<>();
    Map<String, JdkHttpLoad.Result[]> results = new LinkedHashMap<>();
    Map<String, Handshakes.Result> handshakes = new LinkedHashMap<>();
    try (Launcher launcher = new Launcher(o, o.workDir())) {
      int mockPort = Proc.freePort();
      launcher.mock("mock-tls", mockPort, 100_000, Duration.ofMillis(2), 100_000, 0);
      int plainPort = Proc.freePort();
      int tlsPort = Proc.freePort();
      // Both Spillways start at once: JVM start-up dominates a quick run.
      CompletableFuture<ChildProcess> plain = CompletableFuture.supplyAsync(() -> start(launcher, "spillway-plain",
          SpillwayConfig.yaml(ProxySetup.plain(List.of(mockPort)), plainPort), plainPort));
      CompletableFuture<ChildProcess> tls = CompletableFuture.supplyAsync(() -> start(launcher, "spillway-tls",
          withTls(SpillwayConfig.yaml(ProxySetup.plain(List.of(mockPort)), tlsPort), pem), tlsPort));
      plain.join();
      tls.join();
      addPaths(paths, "Spillway", plainPort, tlsPort);
      tlsPorts.put("Spillway", tlsPort);
      if (o.proxies().contains(ProxyKind.NGINX)) {
        int nginxPlain = Proc.freePort();
        int nginxTls = Proc.freePort();
        try {
          launcher.nginxTls(mockPort, nginxPlain, nginxTls, pem.certificate(), pem.key());
          addPaths(paths, "nginx", nginxPlain, nginxTls);
          tlsPorts.put("nginx", nginxTls);
        } catch (java.io.IOException e) {
          // An nginx built without its ssl or http2 module: the comparison is lost, Spillway's rows are not.
          Peers.loud("tls-overhead: nginx with TLS and HTTP/2 did not start (" + e.getMessage()
              + "); the nginx rows and Spillway/nginx ratios are SKIPPED");
        }
      } else {
        Peers.loud("tls-overhead: nginx is not available; the nginx rows and Spillway/nginx ratios are SKIPPED");
      }
      Map<String, JdkHttpLoad> loads = new LinkedHashMap<>();
      try {
        for (Path3 p : paths) {
          loads.put(p.key(), new JdkHttpLoad(p.uri(), p.version(), p.tls() ? ssl : null, timeout));
        }
        // Interleaved rounds (every path once per round) so drifting machine noise hits all paths alike.
        for (int round = 0; round < rounds; round++) {
          for (Path3 p : paths) {
            JdkHttpLoad load = loads.get(p.key());
            if (round == 0) {
              // Ramp up: a cold HTTP/1.1-over-TLS path hit at full rate opens a connection per waiting request,
              // and the handshakes of that storm swamp two cores before anything is measured.
              for (double fraction : new double[] {0.1, 0.5, 1}) {
                load.fixedRate(rate * fraction, warm, 1000);
              }
            }
            JdkHttpLoad.Result fixed = load.fixedRate(rate, step, 1000);
            JdkHttpLoad.Result max = load.maxThroughput(concurrency, step);
            results.merge(p.key(), new JdkHttpLoad.Result[] {fixed, max},
                (a, b) -> new JdkHttpLoad.Result[] {a[0].plus(b[0]), a[1].plus(b[1])});
            System.out.printf("tls-overhead round %d %s: %.0f/s offered -> %.0f/s p99 %s ms errors %d; max %.0f/s "
                + "p99 %s ms errors %d%s%n", round + 1, p.key(), rate, fixed.rate(), Fmt.ms(fixed.ok(), 99),
                fixed.errors(), max.rate(), Fmt.ms(max.ok(), 99), max.errors(), firstErrors(fixed, max));
          }
          for (Map.Entry<String, Integer> e : tlsPorts.entrySet()) {
            Handshakes.Result h = Handshakes.run(ssl, e.getValue(), 2, handshakeTime, 1_000_000);
            handshakes.merge(e.getKey(), h, Handshakes.Result::plus);
            System.out.printf("tls-overhead round %d %s handshakes: %.0f/s errors %d%n", round + 1, e.getKey(),
                h.rate(), h.errors());
          }
        }
      } finally {
        loads.values().forEach(JdkHttpLoad::close);
      }
    }
    return report(o, rate, rounds, step, concurrency, handshakeTime, results, handshakes, uptimeBefore, uptime());
  }

  private static String firstErrors(JdkHttpLoad.Result fixed, JdkHttpLoad.Result max) {
    return (fixed.firstError() == null ? "" : "; first error at the fixed rate: " + fixed.firstError())
        + (max.firstError() == null ? "" : "; first error at max: " + max.firstError());
  }

  private static void addPaths(List<Path3> paths, String proxy, int plainPort, int tlsPort) {
    paths.add(new Path3(proxy, "HTTP/1.1", URI.create("http://127.0.0.1:" + plainPort), HttpClient.Version.HTTP_1_1,
        false));
    paths.add(new Path3(proxy, "TLS HTTP/1.1", URI.create("https://127.0.0.1:" + tlsPort),
        HttpClient.Version.HTTP_1_1, true));
    paths.add(new Path3(proxy, "TLS h2", URI.create("https://127.0.0.1:" + tlsPort), HttpClient.Version.HTTP_2,
        true));
  }

  private static ChildProcess start(Launcher launcher, String name, String yaml, int port) {
    try {
      return launcher.spillway(name, yaml, port);
    } catch (Exception e) {
      throw new IllegalStateException(name + " did not start: " + e.getMessage(), e);
    }
  }

  /** The config with {@code server.tls} naming the PEM files. */
  static String withTls(String yaml, Certificates.PemPair pem) {
    return yaml.replaceFirst("server:\n", "server:\n  tls: {certificate: '" + pem.certificate() + "', key: '"
        + pem.key() + "'}\n");
  }

  private static SSLContext trusting(Certificates.Issued issued) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setCertificateEntry("server", issued.certificate());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    return ssl;
  }

  /** {@code uptime}'s line, or the load averages when it cannot run. */
  private static String uptime() {
    try {
      Process p = new ProcessBuilder("uptime").redirectErrorStream(true).start();
      p.getOutputStream().close();
      if (!p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "load average " + Scenarios.loadAverage();
      }
      return new String(p.getInputStream().readAllBytes()).trim();
    } catch (Exception e) {
      return "load average " + Scenarios.loadAverage();
    }
  }

  private Report report(ScenarioOptions o, double rate, int rounds, Duration step, int concurrency, Duration handshakeTime,
      Map<String, JdkHttpLoad.Result[]> results, Map<String, Handshakes.Result> handshakes, String before,
      String after) {
    Report r = new Report(name(), o.outDir());
    r.heading(2, "TLS and HTTP/2 overhead: Spillway vs nginx");
    r.text("Mock backend with room for everything (2 ms latency, non-streamed). Each proxy reached in plain "
        + "HTTP/1.1, HTTP/1.1 over TLS and HTTP/2 over TLS (ALPN h2), one self-signed EC P-256 certificate for "
        + "both proxies, TLS 1.3. " + rounds + " interleaved round(s) over all paths, merged. Load from the JDK HTTP client (HTTP/1.1: one keep-alive connection per in-flight "
        + "request; h2: all requests multiplexed on one connection). Fixed rate: open loop at " + Fmt.num(rate)
        + " req/s for " + Fmt.num(step.toMillis() / 1000.0) + " s after a warm-up ramp (10 %, 50 %, 100 % of the rate), latency from the intended start. Max: closed "
        + "loop with " + concurrency + " requests outstanding for " + Fmt.num(step.toMillis() / 1000.0) + " s. Handshakes: full "
        + "TLS handshakes on fresh connections (no resumption) from 2 client threads for "
        + Fmt.num(handshakeTime.toMillis() / 1000.0) + " s; the client's own handshake work is on the same cores, so this is a "
        + "lower bound for both. " + Scenarios.machine(o));
    r.text("`uptime` before: `" + before + "`; after: `" + after + "`.");
    MarkdownTable t = new MarkdownTable("proxy", "protocol", ">req/s at " + Fmt.num(rate), ">p50 ms", ">p99 ms",
        ">errors", ">max req/s", ">max p99 ms", ">max errors");
    for (Map.Entry<String, JdkHttpLoad.Result[]> e : results.entrySet()) {
      JdkHttpLoad.Result f = e.getValue()[0];
      JdkHttpLoad.Result m = e.getValue()[1];
      String[] parts = e.getKey().split(" ", 2);
      t.row(parts[0], parts[1], Fmt.num(f.rate()), Fmt.ms(f.ok(), 50), Fmt.ms(f.ok(), 99), f.errors(),
          Fmt.num(m.rate()), Fmt.ms(m.ok(), 99), m.errors());
    }
    r.table(t);
    MarkdownTable h = new MarkdownTable("proxy", ">handshakes/s", ">errors");
    handshakes.forEach((proxy, res) -> h.row(proxy, Fmt.num(res.rate()), res.errors()));
    r.table(h);
    r.text("Ratios: max req/s, and p99 at the fixed rate (above 1× = slower). TLS/plain is TLS HTTP/1.1 over "
        + "plain HTTP/1.1; h2/h1 is TLS h2 over TLS HTTP/1.1.");
    MarkdownTable ratios = new MarkdownTable("ratio", ">max req/s", ">p99 at " + Fmt.num(rate));
    for (String proxy : List.of("Spillway", "nginx")) {
      ratio(ratios, results, proxy + " TLS/plain", proxy + " TLS HTTP/1.1", proxy + " HTTP/1.1");
      ratio(ratios, results, proxy + " h2/h1", proxy + " TLS h2", proxy + " TLS HTTP/1.1");
    }
    for (String protocol : List.of("HTTP/1.1", "TLS HTTP/1.1", "TLS h2")) {
      ratio(ratios, results, "Spillway/nginx " + protocol, "Spillway " + protocol, "nginx " + protocol);
    }
    if (handshakes.containsKey("nginx")) {
      ratios.row("Spillway/nginx handshakes/s", Fmt.ratio(handshakes.get("Spillway").rate()
          / handshakes.get("nginx").rate()), "");
    }
    r.table(ratios);
    r.write();
    return r;
  }

  private static void ratio(MarkdownTable t, Map<String, JdkHttpLoad.Result[]> results, String label, String a,
      String b) {
    JdkHttpLoad.Result[] x = results.get(a);
    JdkHttpLoad.Result[] y = results.get(b);
    if (x == null || y == null) {
      return;
    }
    t.row(label, Fmt.ratio(x[1].rate() / y[1].rate()),
        Fmt.ratio(Fmt.msValue(x[0].ok(), 99) / Fmt.msValue(y[0].ok(), 99)));
  }
}
