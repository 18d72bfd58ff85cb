package dev.spillway.bench.scenario;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * How a scenario run is set up: quick (seconds, tiny rates, for CI) or full; where results go; which
 * proxies can run; how Spillway is launched and with which JVM options; whether it records a JFR profile.
 */
public record ScenarioOptions(boolean quick, Path outDir, Path workDir, Path peersDir, Path spillwayJar,
    List<String> spillwayJvmArgs, boolean jfr, Set<ProxyKind> proxies) {

  /** {@code full} in full mode, {@code quick} otherwise; picks a duration, rate or count. */
  public <T> T pick(T full, T quick) {
    return quick() ? quick : full;
  }

  /** The proxies available here, in comparison order. */
  public List<ProxyKind> proxyList() {
    return proxies.stream().sorted().toList();
  }
}
