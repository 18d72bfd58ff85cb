package dev.spillway.testing;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real {@code redis-server} on a free port of 127.0.0.1, started before a test class and stopped after it
 * (register with {@code @RegisterExtension static final RedisServer redis = new RedisServer();}), and started
 * again before each test that finds it killed by the one before. Without
 * persistence: a restart comes back empty, as a Redis that lost its data does.
 *
 * <p>Where no {@code redis-server} can be found the test class is skipped with a loud warning, never passed.
 */
public final class RedisServer implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {
  private static final List<String> LOCATIONS = List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server",
      "/usr/bin/valkey-server", "/usr/local/bin/valkey-server");

  private String binary;
  private int port;
  private Process process;
  private Path dir;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    binary = LOCATIONS.stream().filter(p -> new File(p).canExecute()).findFirst().orElse(null);
    if (binary == null) {
      System.err.println("\n*** WARNING: no redis-server (or valkey-server) found: " + context.getDisplayName()
          + " is SKIPPED. Install it (apt-get install -y redis-server) to run it. ***\n");
    }
    Assumptions.assumeTrue(binary != null, "no redis-server found: Redis limiter store tests skipped");
    dir = Files.createTempDirectory("spillway-redis");
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    start();
  }

  /** A test that killed the server leaves the next one a running (empty) server. */
  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    if (process == null || !process.isAlive()) {
      start();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    kill();
  }

  public int port() {
    return port;
  }

  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /**
   * Starts the server (again, empty) on the same port and waits until it says it accepts connections: its
   * output is copied to {@code redis.log} line by line, and the wait ends on the ready line, on its exit, or
   * after 10 s.
   */
  public void start() throws IOException, InterruptedException {
    process = new ProcessBuilder(binary, "--port", String.valueOf(port), "--bind", "127.0.0.1", "--save", "",
        "--appendonly", "no", "--dir", dir.toString(), "--protected-mode", "no")
        .redirectErrorStream(true)
        .start();
    CompletableFuture<Void> ready = new CompletableFuture<>();
    Process started = process;
    Thread copier = new Thread(() -> copyOutput(started, ready), "redis-server-output");
    copier.setDaemon(true);
    copier.start();
    started.onExit().thenRun(() -> ready.completeExceptionally(new IOException("redis-server exited with "
        + started.exitValue() + ": " + log())));
    try {
      ready.get(10, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new IOException("redis-server did not get ready on " + port + " within 10s: " + log());
    } catch (ExecutionException e) {
      throw new IOException(e.getCause().getMessage(), e.getCause());
    }
  }

  /** Copies the server's output to its log, completing {@code ready} at its ready line. */
  private void copyOutput(Process p, CompletableFuture<Void> ready) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Writer log = Files.newBufferedWriter(dir.resolve("redis.log"), StandardCharsets.UTF_8,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        log.write(line);
        log.write('\n');
        log.flush();
        if (line.contains("Ready to accept connections")) {
          ready.complete(null);
        }
      }
    } catch (IOException e) {
      ready.completeExceptionally(e);
    }
  }

  private String log() {
    try {
      return Files.readString(dir.resolve("redis.log"));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Kills the server at once (SIGKILL): its data is gone. */
  public void kill() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** {@code INFO commandstats} of the running server, through redis-cli-free plain RESP. */
  public String info(String section) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      String cmd = "*2\r\n$4\r\nINFO\r\n$" + section.length() + "\r\n" + section + "\r\n";
      s.getOutputStream().write(cmd.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      java.io.InputStream in = s.getInputStream();
      StringBuilder header = new StringBuilder();
      int c;
      while ((c = in.read()) != '\n') {
        header.append((char) c);
      }
      int len = Integer.parseInt(header.substring(1).trim());
      byte[] body = in.readNBytes(len);
      return new String(body, java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  /** Commands the server has run (every kind), from {@code INFO commandstats}. */
  public long commandCount() throws IOException {
    long total = 0;
    for (String line : info("commandstats").split("\r\n")) {
      int i = line.indexOf("calls=");
      if (line.startsWith("cmdstat_") && i >= 0 && !line.startsWith("cmdstat_info")) {
        int end = line.indexOf(',', i);
        total += Long.parseLong(line.substring(i + 6, end));
      }
    }
    return total;
  }
}
