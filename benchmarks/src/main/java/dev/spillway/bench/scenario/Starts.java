package dev.spillway.bench.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts a scenario's processes in parallel (JVM start-up dominates a quick run on a busy machine) through a
 * {@link Launcher}, which stops them all at the end. A backend that fails to start fails the wait; a Spillway
 * that fails to start (a config it rejects, say) is kept as a failure for its run to report.
 */
final class Starts implements AutoCloseable {
  /** A Spillway being started: its ports, and the process or why it did not start. */
  static final class Gateway {
    final String name;
    final int port;
    final int admin;
    private final CompletableFuture<ChildProcess> process;

    private Gateway(String name, int port, int admin, CompletableFuture<ChildProcess> process) {
      this.name = name;
      this.port = port;
      this.admin = admin;
      this.process = process;
    }

    /** Why it did not start, or null when it runs. */
    String failure() {
      try {
        process.get();
        return null;
      } catch (ExecutionException e) {
        return UnknownCapacityScenario.oneLine(e.getCause().getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "interrupted";
      }
    }

    /** Stops it now, if it runs, to free its resources for the runs left. */
    void stop() {
      if (process.isDone() && !process.isCompletedExceptionally()) {
        process.join().stop();
      }
    }
  }

  private final Launcher launcher;
  /** A few at a time: on two busy cores, more JVMs starting at once only slow each other down. */
  private final ExecutorService pool = Executors.newFixedThreadPool(3);
  private final List<CompletableFuture<ChildProcess>> backends = new ArrayList<>();
  private final List<CompletableFuture<ChildProcess>> all = new ArrayList<>();

  Starts(Launcher launcher) {
    this.launcher = launcher;
  }

  /** Starts a mock backend with these options. */
  void mock(String name, int port, List<String> options) {
    CompletableFuture<ChildProcess> f = CompletableFuture.supplyAsync(() -> {
      try {
        return launcher.mockWith(name, port, options);
      } catch (Exception e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
    }, pool);
    backends.add(f);
    all.add(f);
  }

  /** Starts a Spillway with {@link AdaptiveConfig#yaml}'s config on fresh ports. */
  Gateway spillway(String name, int backendPort, String concurrency, int overflowPort) {
    int port = Proc.freePort();
    int admin = Proc.freePort();
    String yaml = AdaptiveConfig.yaml(port, admin, backendPort, concurrency, overflowPort);
    CompletableFuture<ChildProcess> f = CompletableFuture.supplyAsync(() -> {
      try {
        return launcher.spillway(name, yaml, port);
      } catch (Exception e) {
        Peers.loud("unknown-capacity: " + name + " did not start: " + e.getMessage());
        throw new IllegalStateException("Spillway did not start with this config: " + e.getMessage(), e);
      }
    }, pool);
    all.add(f);
    return new Gateway(name, port, admin, f);
  }

  /** Waits until everything started or failed; throws if a backend failed. */
  void await() throws Exception {
    try {
      CompletableFuture.allOf(all.stream().map(f -> f.exceptionally(e -> null)).toArray(CompletableFuture[]::new))
          .get(600, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException("processes did not start within 600 s", e);
    }
    for (CompletableFuture<ChildProcess> backend : backends) {
      try {
        backend.get();
      } catch (ExecutionException e) {
        throw new IllegalStateException("a backend did not start: " + e.getCause().getMessage(), e.getCause());
      }
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
