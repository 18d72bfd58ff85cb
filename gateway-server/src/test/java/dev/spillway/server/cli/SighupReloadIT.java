package dev.spillway.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spillway run --no-watch-config} reloads its config file on SIGHUP, as {@code kill -HUP} or
 * {@code systemctl reload} sends it, and keeps running (the JVM's default for SIGHUP would be to exit); a
 * gateway without a config file (the demo, {@code run} without {@code --config}) logs it and keeps running.
 */
class SighupReloadIT {
  @TempDir
  Path dir;

  private static String config(int gatewayPort, int adminPort, int limit) {
    return """
        server:
          host: 127.0.0.1
          port: %d
          shutdownTimeout: 2s
          ioThreads: 1
        backends:
          b:
            endpoints: [http://127.0.0.1:9]
            concurrency: %d
        routes:
          - name: all
            match: {pathPrefix: /}
            backend: b
        admin:
          enabled: true
          host: 127.0.0.1
          port: %d
        """.formatted(gatewayPort, limit, adminPort);
  }

  @Test
  void sighupReloadsTheConfigFile() throws Exception {
    int gatewayPort = freePort();
    int adminPort = freePort();
    Path config = dir.resolve("spillway.yaml");
    Files.writeString(config, config(gatewayPort, adminPort, 4), StandardCharsets.UTF_8);
    Path out = dir.resolve("out.log");
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
        "dev.spillway.server.Main", "run", "--no-watch-config", "--config", config.toString()))
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    try {
      awaitListening(p, adminPort, out);
      // Started under nohup (a CI runner, say), every child inherits SIGHUP as ignored and the JVM keeps it so:
      // the gateway says it cannot reload on SIGHUP. That is right, and this test cannot run there.
      assumeFalse(read(out).contains("SIGHUP cannot be trapped here"),
          "SKIPPED LOUDLY: SIGHUP is ignored in this environment (nohup?): " + read(out));
      Files.writeString(config, config(gatewayPort, adminPort, 6), StandardCharsets.UTF_8);
      Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start();
      assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
      GatewayProcess.await("the SIGHUP reload in the output", Duration.ofSeconds(30),
          () -> read(out).contains("config reload applied (SIGHUP)"));
      String log = read(out);
      assertThat(log).as(log).contains("config reload applied (SIGHUP): backends.b: changed backends.b.concurrency");
      assertThat(p.isAlive()).as("still running after SIGHUP").isTrue();
      p.destroy();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(Files.readString(out, StandardCharsets.UTF_8)).isZero();
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void sighupWithoutAConfigFileIsLoggedAndTheGatewayKeepsRunning() throws Exception {
    int gatewayPort = freePort();
    int adminPort = freePort();
    Path out = dir.resolve("demo.log");
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
        "dev.spillway.server.Main", "demo", "--port", Integer.toString(gatewayPort), "--backend-ports",
        freePort() + "," + freePort(), "--admin-port", Integer.toString(adminPort),
        "--access-log", dir.resolve("access.log").toString()))
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    try {
      awaitListening(p, adminPort, out);
      GatewayProcess.await("the demo's welcome", Duration.ofSeconds(30),
          () -> read(out).contains("Spillway demo is running."));
      Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start();
      assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
      if (!sighupIgnoredHere()) {
        GatewayProcess.await("the ignored SIGHUP in the output", Duration.ofSeconds(30),
            () -> read(out).contains("SIGHUP ignored: the demo has no config file"));
      }
      assertThat(p.waitFor(1, TimeUnit.SECONDS)).as("exited on SIGHUP: " + read(out)).isFalse();
      p.destroy();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(read(out)).isZero();
    } finally {
      p.destroyForcibly();
    }
  }

  /** Whether this process inherited SIGHUP as ignored (nohup): its children then ignore it as well. */
  private static boolean sighupIgnoredHere() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.exists(status)) {
      return false;
    }
    for (String line : Files.readAllLines(status, StandardCharsets.UTF_8)) {
      if (line.startsWith("SigIgn:")) {
        return (Long.parseLong(line.substring(7).trim(), 16) & 1) != 0;
      }
    }
    return false;
  }

  /** Waits (bounded) until {@code port} accepts connections; fails at once if the process exits first. */
  private static void awaitListening(Process p, int port, Path out) {
    GatewayProcess.await("a listener on " + port, Duration.ofSeconds(30), () -> {
      if (!p.isAlive()) {
        throw new AssertionError("exited early: " + read(out));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return true;
      } catch (IOException notYet) {
        return false;
      }
    });
  }

  private static String read(Path out) {
    try {
      return Files.readString(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
