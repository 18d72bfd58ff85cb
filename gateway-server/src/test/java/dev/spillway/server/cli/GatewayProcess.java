package dev.spillway.server.cli;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * {@code spillway run} in a child JVM started with {@code java -jar}: the jar is a launcher whose manifest names
 * {@code dev.spillway.server.Main} and this build's class path, so it always runs the code under test (the
 * shaded jar is only built after the tests). Its output goes to a file, and tests await lines of it.
 */
final class GatewayProcess implements AutoCloseable {
  private final Process process;
  private final Path log;

  private GatewayProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code java [javaOptions] -jar <launcher> run --config <config>} in {@code workDir}.
   *
   * @param scratch where the launcher jar is written
   */
  static GatewayProcess start(Path scratch, Path workDir, List<String> javaOptions, Path config)
      throws IOException {
    return start(scratch, workDir, javaOptions, config, java.util.Map.of());
  }

  /** As above, with {@code env} added to the child's environment. */
  static GatewayProcess start(Path scratch, Path workDir, List<String> javaOptions, Path config,
      java.util.Map<String, String> env) throws IOException {
    Path jar = launcherJar(scratch);
    List<String> command = new ArrayList<>();
    command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
    command.addAll(javaOptions);
    command.addAll(List.of("-jar", jar.toString(), "run", "--config", config.toString()));
    Path log = scratch.resolve("gateway-" + System.nanoTime() + ".log");
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().putAll(env);
    return new GatewayProcess(builder.start(), log);
  }

  private static Path launcherJar(Path scratch) throws IOException {
    Manifest manifest = new Manifest();
    Attributes a = manifest.getMainAttributes();
    a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    a.put(Attributes.Name.MAIN_CLASS, "dev.spillway.server.Main");
    StringBuilder cp = new StringBuilder();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (!entry.isEmpty()) {
        cp.append(Path.of(entry).toAbsolutePath().toUri().toURL().toExternalForm()).append(' ');
      }
    }
    a.put(Attributes.Name.CLASS_PATH, cp.toString().trim());
    Path jar = scratch.resolve("spillway-launcher.jar");
    try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, manifest)) {
      j.flush();
    }
    return jar;
  }

  /** Everything the process printed so far. */
  String output() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Waits (bounded) until the output contains {@code text}; fails at once if the process has exited without. */
  void awaitOutput(String text, Duration timeout) {
    await("\"" + text + "\" in the output", timeout, () -> {
      boolean alive = process.isAlive();
      if (output().contains(text)) {
        return true;
      }
      if (!alive) {
        throw new AssertionError("exited without \"" + text + "\":\n" + output());
      }
      return false;
    });
  }

  /** Sends SIGTERM. */
  void terminate() {
    process.destroy();
  }

  boolean waitFor(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  int exitValue() {
    return process.exitValue();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Polls {@code condition} every 20 ms until it holds; fails after {@code timeout} with {@code what}. For
   * conditions nothing announces (a port closing, a probe flipping).
   */
  static void await(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
