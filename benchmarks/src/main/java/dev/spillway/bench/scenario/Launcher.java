package dev.spillway.bench.scenario;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts the processes of a scenario and remembers them, so {@link #close()} stops every one of them (in
 * reverse order), also when the scenario fails. Spillway and the mock backends run as {@code spillway.jar}
 * child processes, so they do not share a JIT or a GC with the load generator. Processes may be started from
 * several threads at once.
 */
public final class Launcher implements AutoCloseable {
  /** How long a JVM child may take to listen: generous, as the machine may be shared and busy. */
  static final long START_TIMEOUT_MILLIS = 120_000;
  private final ScenarioOptions options;
  private final Path workDir;
  private final List<ChildProcess> started = new ArrayList<>();

  public Launcher(ScenarioOptions options, Path workDir) {
    this.options = options;
    this.workDir = workDir;
  }

  /** Starts a mock backend on {@code port}. */
  public ChildProcess mock(String name, int port, int capacity, Duration latency, int maxQueue,
      double tokensPerSecond) throws IOException {
    List<String> cmd = spillwayCommand("-Xmx512m");
    cmd.addAll(List.of("mock-backend", "--port", Integer.toString(port), "--capacity", Integer.toString(capacity),
        "--latency", latency.toMillis() + "ms", "--max-queue", Integer.toString(maxQueue),
        "--tokens-per-second", Double.toString(tokensPerSecond)));
    return track(ChildProcess.start(name, cmd, workDir.resolve(name + ".log"))
        .awaitPort(port, START_TIMEOUT_MILLIS));
  }

  /**
   * Starts a mock backend on {@code port} with these {@code mock-backend} options (after the port), e.g. the
   * LLM engine simulator's {@code --engine llm ...}.
   */
  public ChildProcess mockWith(String name, int port, List<String> options) throws IOException {
    List<String> cmd = spillwayCommand("-Xmx512m");
    cmd.addAll(List.of("mock-backend", "--port", Integer.toString(port)));
    cmd.addAll(options);
    return track(ChildProcess.start(name, cmd, workDir.resolve(name + ".log"))
        .awaitPort(port, START_TIMEOUT_MILLIS));
  }

  /** Starts Spillway on {@code port} with this config file text. */
  public ChildProcess spillway(String name, String yaml, int port) throws IOException {
    Path config = workDir.resolve(name + "-" + port + ".yaml");
    Files.writeString(config, yaml);
    List<String> cmd = spillwayCommand(options.spillwayJvmArgs().toArray(String[]::new));
    if (options.jfr()) {
      cmd.add(1, "-XX:StartFlightRecording=filename=" + workDir.resolve(name + "-" + port + ".jfr")
          + ",settings=profile,dumponexit=true");
    }
    cmd.addAll(List.of("run", "--config", config.toString()));
    return track(ChildProcess.start(name, cmd, workDir.resolve(name + "-" + port + ".log"))
        .awaitPort(port, START_TIMEOUT_MILLIS));
  }

  /** Starts one proxy of {@code kind} on {@code port} in front of {@code setup}'s endpoints. */
  public ChildProcess proxy(ProxyKind kind, ProxySetup setup, int port) throws IOException {
    return switch (kind) {
      case SPILLWAY -> spillway(setup, port);
      case NGINX -> nginx(setup, port);
      case HAPROXY -> haproxy(setup, port);
    };
  }

  private ChildProcess spillway(ProxySetup setup, int port) throws IOException {
    return spillway("spillway", SpillwayConfig.yaml(setup, port), port);
  }

  private ChildProcess nginx(ProxySetup setup, int port) throws IOException {
    Path dir = Files.createDirectories(workDir.resolve("nginx-" + port));
    StringBuilder servers = new StringBuilder();
    for (int p : setup.endpoints()) {
      servers.append("server 127.0.0.1:").append(p).append(";\n    ");
    }
    if (setup.backup() != 0) {
      servers.append("server 127.0.0.1:").append(setup.backup()).append(" backup;");
    }
    boolean limited = setup.concurrency() > 0;
    // One key for the whole server: nginx does not count requests whose key is empty ($server_name here).
    String conf = Peers.render(options.peersDir().resolve("nginx.conf.tmpl"), Map.of(
        "DIR", dir.toString(), "PORT", Integer.toString(port), "SERVERS", servers.toString().trim(),
        "LIMIT_ZONE", limited ? "limit_conn_zone $server_port zone=backend:1m;" : "",
        "LIMIT", limited ? "limit_conn backend " + setup.concurrency() + "; limit_conn_status 503;" : ""));
    Path file = dir.resolve("nginx.conf");
    Files.writeString(file, conf);
    List<String> cmd = List.of(Proc.which("nginx").toString(), "-p", dir.toString(), "-c", file.toString());
    return track(ChildProcess.start("nginx", cmd, dir.resolve("stdout.log")).awaitPort(port, 10_000));
  }

  /**
   * Starts nginx in front of {@code endpoint} with a plain listener on {@code port} and a TLS one (h2 and
   * http/1.1 by ALPN) on {@code tlsPort}, serving this PEM certificate and key.
   */
  public ChildProcess nginxTls(int endpoint, int port, int tlsPort, Path certificate, Path key) throws IOException {
    Path dir = Files.createDirectories(workDir.resolve("nginx-tls-" + port));
    String conf = Peers.render(options.peersDir().resolve("nginx-tls.conf.tmpl"), Map.of(
        "DIR", dir.toString(), "PORT", Integer.toString(port), "TLS_PORT", Integer.toString(tlsPort),
        "SERVERS", "server 127.0.0.1:" + endpoint + ";", "CERTIFICATE", certificate.toString(),
        "KEY", key.toString()));
    Path file = dir.resolve("nginx.conf");
    Files.writeString(file, conf);
    List<String> cmd = List.of(Proc.which("nginx").toString(), "-p", dir.toString(), "-c", file.toString());
    ChildProcess p = track(ChildProcess.start("nginx-tls", cmd, dir.resolve("stdout.log")).awaitPort(port, 10_000));
    p.awaitPort(tlsPort, 10_000);
    return p;
  }

  private ChildProcess haproxy(ProxySetup setup, int port) throws IOException {
    Path dir = Files.createDirectories(workDir.resolve("haproxy-" + port));
    StringBuilder servers = new StringBuilder();
    String check = setup.healthChecks() ? " check inter 500ms fall 2 rise 2" : "";
    String limit = setup.concurrency() > 0
        ? " maxconn " + setup.concurrency() + " maxqueue " + setup.queue() : "";
    for (int i = 0; i < setup.endpoints().size(); i++) {
      servers.append("  server s").append(i).append(" 127.0.0.1:").append(setup.endpoints().get(i))
          .append(limit).append(check).append('\n');
    }
    if (setup.backup() != 0) {
      servers.append("  server b0 127.0.0.1:").append(setup.backup()).append(" backup").append(check).append('\n');
    }
    String conf = Peers.render(options.peersDir().resolve("haproxy.cfg.tmpl"), Map.of(
        "PORT", Integer.toString(port), "SERVERS", servers.toString(),
        "QUEUE_TIMEOUT", setup.queueTimeout().toMillis() + "ms"));
    Path file = dir.resolve("haproxy.cfg");
    Files.writeString(file, conf);
    List<String> cmd = List.of(Proc.which("haproxy").toString(), "-db", "-f", file.toString());
    return track(ChildProcess.start("haproxy", cmd, dir.resolve("stdout.log")).awaitPort(port, 10_000));
  }

  private ChildProcess track(ChildProcess p) {
    synchronized (started) {
      started.add(p);
    }
    return p;
  }

  private List<String> spillwayCommand(String... jvmArgs) {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java));
    cmd.addAll(List.of(jvmArgs));
    if (options.quick()) {
      // Quick runs measure nothing: start fast on a busy CI machine (C1 only, one GC thread).
      cmd.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
    }
    Path jar = options.spillwayJar();
    if (Files.isRegularFile(jar)) {
      cmd.addAll(List.of("-jar", jar.toString()));
    } else {
      // The benchmarks jar shades gateway-server too, so it can run the same commands.
      cmd.addAll(List.of("-cp", ownJar(), "dev.spillway.server.Main"));
    }
    return cmd;
  }

  private static String ownJar() {
    try {
      return Path.of(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot locate the benchmarks jar: " + e.getMessage(), e);
    }
  }

  /** Stops every process started, newest first. */
  @Override
  public void close() {
    synchronized (started) {
      for (int i = started.size() - 1; i >= 0; i--) {
        started.get(i).stop();
      }
      started.clear();
    }
  }
}
