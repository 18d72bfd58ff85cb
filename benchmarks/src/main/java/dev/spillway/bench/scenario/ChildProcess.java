package dev.spillway.bench.scenario;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A process a scenario started (Spillway, a mock backend, nginx, HAProxy), with its output in a log file.
 * {@link #stop()} ends it and every process it started, politely first, then by force.
 */
public final class ChildProcess implements AutoCloseable {
  /** Every process still running, so a runner stopped by a signal does not leave them behind. */
  private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      for (Process p : RUNNING) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
    }, "child-process-reaper"));
  }

  private final String name;
  private final Process process;
  private final Path log;

  private ChildProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /** Starts {@code command} with its stdout and stderr in {@code log}. */
  public static ChildProcess start(String name, List<String> command, Path log) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    RUNNING.add(p);
    p.onExit().thenRun(() -> RUNNING.remove(p));
    return new ChildProcess(name, p, log);
  }

  public String name() {
    return name;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Waits until 127.0.0.1:{@code port} accepts connections; fails, with the log's tail, if it never does. */
  public ChildProcess awaitPort(int port, long timeoutMillis) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (System.nanoTime() - deadline < 0) {
      if (!process.isAlive()) {
        throw new IOException(name + " exited with " + process.exitValue() + ": " + tail());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return this;
      } catch (IOException notYet) {
        sleep(50);
      }
    }
    throw new IOException(name + " did not listen on port " + port + " within " + timeoutMillis + " ms: " + tail());
  }

  /** Resident memory of this process and its descendants, in KiB, from {@code /proc/<pid>/status}. */
  public long rssKib() {
    long total = Proc.rssKib(process.pid());
    for (ProcessHandle h : process.descendants().toList()) {
      total += Proc.rssKib(h.pid());
    }
    return total;
  }

  /** The last lines of the log, for error messages. */
  public String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Kills the process at once (SIGKILL), as a crash would; for failover scenarios. */
  public void kill() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  /** SIGTERM to the process tree, SIGKILL after 5 s; waits until it is gone. */
  public void stop() {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    children.forEach(ProcessHandle::destroy);
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    children.forEach(ProcessHandle::destroyForcibly);
  }

  @Override
  public void close() {
    stop();
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
