package dev.spillway.server.h2;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Runs the system's curl (with nghttp2) and records when each output line arrived. */
final class Curl {
  /** One line of curl's output and when it was read, in nanoseconds since curl started. */
  record Line(String text, long atNanos) {}

  private Curl() {}

  /** Skips the calling test, loudly, when curl or its HTTP/2 support is missing. */
  static void assumeHttp2() {
    boolean ok;
    try {
      Process p = new ProcessBuilder("curl", "--version").redirectErrorStream(true).start();
      String version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      ok = p.waitFor(10, TimeUnit.SECONDS) && version.contains("HTTP2");
    } catch (IOException | InterruptedException e) {
      ok = false;
    }
    if (!ok) {
      System.err.println("SKIPPED: curl with HTTP/2 (nghttp2) is not installed; HTTP/2 curl tests did not run");
    }
    Assumptions.assumeTrue(ok, "curl with HTTP/2 support is not installed");
  }

  /** Runs curl with {@code args}, at most {@code timeoutSeconds}, returning its stdout lines as they arrived. */
  static List<Line> run(int timeoutSeconds, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add("curl");
    command.add("--max-time");
    command.add(String.valueOf(timeoutSeconds));
    command.addAll(List.of(args));
    long start = System.nanoTime();
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    List<Line> lines = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        lines.add(new Line(line, System.nanoTime() - start));
      }
    } finally {
      if (!p.waitFor(timeoutSeconds + 5L, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    assertThat(p.exitValue()).as("curl exit status, output %s", lines).isZero();
    return lines;
  }
}
