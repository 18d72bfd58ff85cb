package dev.spillway.bench.scenario;

import dev.spillway.bench.load.LoadClient;
import dev.spillway.bench.load.LoadRunner;
import dev.spillway.core.time.Ticker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The load scenario runner:
 * {@code java -cp benchmarks/target/benchmarks.jar dev.spillway.bench.scenario.Scenarios [--quick] [--jfr]
 * [--out DIR] [scenario...]}, run from the repository root. Without names it runs every scenario. Full mode
 * writes to {@code docs/benchmarks/}; {@code --quick} (seconds per scenario, tiny rates, for CI) writes to
 * {@code benchmarks/target/scenarios/}. Exits 1 if a scenario failed to run, never because of its numbers.
 */
public final class Scenarios {
  private static final Map<String, Scenario> ALL = new LinkedHashMap<>();

  static {
    for (Scenario s : List.of(new OverheadScenario(), new OverloadScenario(), new SpikeScenario(),
        new FailoverScenario(), new StreamsScenario(), new SoakScenario(), new UnknownCapacityScenario(),
        new TlsOverheadScenario(), new ClusterScenario())) {
      ALL.put(s.name(), s);
    }
  }

  private Scenarios() {}

  public static void main(String[] args) throws IOException {
    boolean quick = false;
    boolean jfr = false;
    Path out = null;
    List<String> names = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> quick = true;
        case "--jfr" -> jfr = true;
        case "--out" -> out = Path.of(args[++i]);
        case "-h", "--help" -> {
          System.out.println("usage: Scenarios [--quick] [--jfr] [--out DIR] [" + String.join("|", ALL.keySet())
              + "]...");
          return;
        }
        default -> {
          if (!ALL.containsKey(args[i])) {
            System.err.println("unknown scenario: " + args[i] + " (expected one of: " + ALL.keySet() + ")");
            System.exit(2);
          }
          names.add(args[i]);
        }
      }
    }
    if (names.isEmpty()) {
      names.addAll(ALL.keySet());
    }
    Path outDir = out != null ? out : Path.of(quick ? "benchmarks/target/scenarios" : "docs/benchmarks");
    Path workDir = Files.createTempDirectory("spillway-scenarios-");
    List<String> jvmArgs = Arrays.asList(System.getProperty("spillway.jvmArgs", "-Xms64m -Xmx512m").split(" "));
    ScenarioOptions options = new ScenarioOptions(quick, outDir, workDir,
        Path.of(System.getProperty("peers.dir", "benchmarks/peers")),
        Path.of(System.getProperty("spillway.jar", "gateway-server/target/spillway.jar")), jvmArgs, jfr,
        proxies(Peers.available()));
    System.out.println("Scenarios " + names + (quick ? " (quick)" : "") + ", proxies " + options.proxyList()
        + ", logs in " + workDir + ", results in " + outDir);

    List<String> failed = new ArrayList<>();
    Ticker ticker = Ticker.system();
    try (LoadClient client = new LoadClient(2, 12_000, ticker)) {
      LoadRunner runner = new LoadRunner(client, ticker);
      for (String name : names) {
        long start = System.nanoTime();
        try {
          ALL.get(name).run(options, client, runner);
          client.closeIdle();
        } catch (Exception e) {
          failed.add(name);
          System.err.println("scenario " + name + " FAILED: " + e);
          e.printStackTrace();
        }
        System.out.printf("== %s took %.1f s%n", name, (System.nanoTime() - start) / 1e9);
      }
    }
    if (!failed.isEmpty()) {
      System.err.println("FAILED scenarios: " + failed + " (logs in " + workDir + ")");
      System.exit(1);
    }
  }

  /** The available proxies, narrowed by {@code -Dproxies=spillway,nginx} when given. */
  private static java.util.Set<ProxyKind> proxies(java.util.Set<ProxyKind> available) {
    String only = System.getProperty("proxies");
    if (only == null) {
      return available;
    }
    java.util.Set<ProxyKind> chosen = java.util.EnumSet.noneOf(ProxyKind.class);
    for (String name : only.split(",")) {
      ProxyKind kind = ProxyKind.valueOf(name.trim().toUpperCase(java.util.Locale.ROOT));
      if (available.contains(kind)) {
        chosen.add(kind);
      }
    }
    return chosen;
  }

  /** The 1, 5 and 15 minute load averages, or "unknown". */
  static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return parts[0] + " / " + parts[1] + " / " + parts[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  /** One sentence about the machine and the JVM, for every report. */
  static String machine(ScenarioOptions o) {
    String cpu = "unknown CPU";
    try {
      cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(cpu);
    } catch (IOException ignored) {
      // Not Linux: the CPU stays unnamed.
    }
    return "Machine: " + Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), shared and noisy "
        + "(load average " + loadAverage() + " when the report was written); "
        + "JDK " + Runtime.version() + "; Spillway JVM options `" + String.join(" ", o.spillwayJvmArgs())
        + "`; load generator, proxies and mock backends all on this machine; " + LocalDate.now()
        + (o.quick() ? "; QUICK mode (tiny rates, numbers meaningless)." : ".");
  }
}
