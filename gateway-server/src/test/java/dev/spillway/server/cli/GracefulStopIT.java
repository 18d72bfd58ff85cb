package dev.spillway.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spillway run} with the admin server on, stopped by SIGTERM as a supervisor would: it exits with status
 * 0 and prints no stack trace.
 */
class GracefulStopIT {
  @TempDir
  Path dir;

  @Test
  void sigtermStopsTheGatewayCleanlyWithStatusZero() throws Exception {
    int gatewayPort = freePort();
    int adminPort = freePort();
    int backendPort = freePort();
    Path config = dir.resolve("spillway.yaml");
    Files.writeString(config, """
        server:
          host: 127.0.0.1
          port: %d
          shutdownTimeout: 2s
          ioThreads: 1
        backends:
          b:
            endpoints: [http://127.0.0.1:%d]
        routes:
          - name: all
            match: {pathPrefix: /}
            backend: b
        admin:
          enabled: true
          host: 127.0.0.1
          port: %d
        """.formatted(gatewayPort, backendPort, adminPort), StandardCharsets.UTF_8);
    Path out = dir.resolve("out.log");
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
        "dev.spillway.server.Main", "run", "--config", config.toString()))
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    try {
      awaitListening(p, gatewayPort, out);
      awaitListening(p, adminPort, out);
      p.destroy(); // SIGTERM
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("stopped within 30 s").isTrue();
      String log = Files.readString(out, StandardCharsets.UTF_8);
      assertThat(log).as(log).doesNotContain("Exception").doesNotContain("\tat ").contains("stopped");
      assertThat(p.exitValue()).as(log).isZero();
    } finally {
      p.destroyForcibly();
    }
  }

  /** Waits (bounded, polling) until {@code port} accepts a connection; fails at once if the process exited. */
  private static void awaitListening(Process p, int port, Path out) {
    GatewayProcess.await("a listener on " + port, java.time.Duration.ofSeconds(30), () -> {
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
      return "(no output: " + e + ")";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
