package dev.spillway.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.server.mock.MockBackend;
import dev.spillway.server.mock.MockBackendOptions;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loads the status page from a running admin server in headless Chromium: the script must have fetched live
 * data and drawn the charts (the dumped DOM holds the SVG paths), with no console errors. Skipped, loudly,
 * where no Chromium is installed ({@code .ci/run} installs it).
 */
class StatusPageBrowserIT {
  private static final Pattern PATH = Pattern.compile("<path d=\"(M[^\"]+)\"");

  @TempDir
  Path profile;

  @Test
  void statusPageRendersLiveChartsWithoutConsoleErrors() throws Exception {
    String chromium = findChromium();
    if (chromium == null) {
      System.err.println("\n*** WARNING: no chromium/chromium-browser/google-chrome on PATH: the status page browser "
          + "test is SKIPPED. Install Chromium (apt-get install -y chromium) to run it. ***\n");
    }
    Assumptions.assumeTrue(chromium != null, "no Chromium found on PATH: status page browser test skipped");
    try (MockBackend backend = MockBackend.start(MockBackendOptions.defaults());
        MonitoringFixture f = new MonitoringFixture(backend, null, null)) {
      for (int i = 0; i < 3; i++) {
        assertThat(f.chat().statusCode()).isEqualTo(200);
      }
      f.awaitRecords(3);
      // Two closed seconds give every chart at least one point.
      f.seconds(2);
      String url = "http://127.0.0.1:" + f.admin.port() + "/?token=" + MonitoringFixture.TOKEN;

      Result run = run(chromium, "--dump-dom", url);

      assertThat(run.stdout).contains("data-rendered=\"true\"");
      Matcher m = PATH.matcher(run.stdout);
      List<String> paths = new ArrayList<>();
      while (m.find()) {
        paths.add(m.group(1));
      }
      assertThat(paths).as("SVG chart lines").isNotEmpty();
      assertThat(paths).anyMatch(d -> d.contains(" L"));
      assertThat(run.stdout).contains("chat").contains("operational");
      assertThat(consoleErrors(run.stderr)).as("console errors").isEmpty();

      Path shot = Path.of(System.getProperty("java.io.tmpdir"), "spillway-status.png");
      run(chromium, "--screenshot=" + shot, "--window-size=1280,900", url);
    }
  }

  private static List<String> consoleErrors(String stderr) {
    return stderr.lines().filter(l -> l.contains("CONSOLE")).filter(l -> l.contains("ERROR") || l.contains("error"))
        .toList();
  }

  private Result run(String chromium, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0",
        "--virtual-time-budget=5000"));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(profile.getParent(), "chromium", ".out");
    Path err = Files.createTempFile(profile.getParent(), "chromium", ".err");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("chromium did not finish in 60s");
    }
    return new Result(Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
  }

  private static String findChromium() {
    for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
      for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
        File f = new File(dir, name);
        if (f.canExecute()) {
          return f.getPath();
        }
      }
    }
    return null;
  }

  private record Result(String stdout, String stderr) {}
}
