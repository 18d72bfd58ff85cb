package dev.spillway.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.server.config.LoadedConfig;
import dev.spillway.server.config.PublicComponentConfig;
import dev.spillway.server.config.PublicPageConfig;
import dev.spillway.server.config.StatusConfig;
import dev.spillway.server.mock.MockBackend;
import dev.spillway.server.mock.MockBackendOptions;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loads the status page from a running admin server in headless Chromium: the script must have fetched live
 * data and drawn the uPlot charts (canvases with coloured pixels in their plotting areas, time labels on the
 * axis), from the jar's own assets only, with no console errors; a screenshot goes to
 * {@code target/status-page.png}. Skipped, loudly, where no Chromium is installed ({@code .ci/run} installs it).
 */
class StatusPageBrowserIT {
  @TempDir
  Path profile;

  @Test
  void statusPageDrawsLiveChartsFromLocalAssetsWithoutConsoleErrors() throws Exception {
    String chromium = chromiumOrSkip();
    try (MockBackend backend = MockBackend.start(MockBackendOptions.defaults());
        MonitoringFixture f = new MonitoringFixture(backend, null, null)) {
      // Traffic over a few closed seconds gives every chart a line, not a lone point.
      for (int i = 1; i <= 4; i++) {
        assertThat(f.chat().statusCode()).isEqualTo(200);
        f.awaitRecords(i);
        f.seconds(1);
      }
      String html = f.admin("/?token=" + MonitoringFixture.TOKEN, false).body();
      assertOnlyLocalUrls(html);
      for (String asset : localUrls(html)) {
        if (!asset.startsWith("data:")) {
          assertThat(f.admin(asset, false).statusCode()).as(asset + " served without a token").isEqualTo(200);
        }
      }
      String url = "http://127.0.0.1:" + f.admin.port() + "/?token=" + MonitoringFixture.TOKEN;

      Result run = run(chromium, "--window-size=1400,1000", "--dump-dom", url);

      assertThat(run.stdout).contains("data-rendered=\"true\"").contains("data-charts=\"drawn\"");
      assertThat(count(run.stdout, "<canvas")).as("uPlot canvases").isGreaterThanOrEqualTo(5);
      assertThat(attribute(run.stdout, "chart-requests", "data-time-ticks")).as("time axis labels")
          .containsPattern("\\d\\d:\\d\\d:\\d\\d");
      assertThat(Integer.parseInt(attribute(run.stdout, "chart-requests", "data-ink"))).as("request lines drawn")
          .isGreaterThan(50);
      assertThat(Integer.parseInt(attribute(run.stdout, "chart-latency", "data-ink"))).as("latency lines drawn")
          .isGreaterThan(50);
      assertThat(run.stdout).contains("chat").contains("operational").contains("u-legend");
      assertThat(consoleErrors(run.stderr)).as("console errors").isEmpty();

      Path shot = screenshot(chromium, url, "status-page.png");
      assertRightThirdUsed(shot);
    }
  }

  @Test
  void backendChartsShowTheConcurrencyLimitNextToInFlight() throws Exception {
    String chromium = chromiumOrSkip();
    try (MockBackend backend = MockBackend.start(MockBackendOptions.defaults());
        MonitoringFixture f = new MonitoringFixture(backend, ConcurrencyConfig.fixed(4), null)) {
      for (int i = 1; i <= 3; i++) {
        assertThat(f.chat().statusCode()).isEqualTo(200);
        f.awaitRecords(i);
        f.seconds(1);
      }
      String url = "http://127.0.0.1:" + f.admin.port() + "/?token=" + MonitoringFixture.TOKEN
          + "&component=backend:b";

      Result run = run(chromium, "--window-size=1400,1000", "--dump-dom", url);

      assertThat(run.stdout).contains("data-charts=\"drawn\"")
          .contains("Concurrency limit, in flight and waiting room");
      // Only a backend with a concurrency limit has these two series in its legend.
      assertThat(run.stdout).contains(">limit<").contains(">in flight<");
      assertThat(consoleErrors(run.stderr)).as("console errors").isEmpty();
      screenshot(chromium, url, "status-page-backend.png");
    }
  }

  @Test
  void publicStatusPageLoadsWithoutConsoleErrors() throws Exception {
    String chromium = chromiumOrSkip();
    try (MockBackend backend = MockBackend.start(MockBackendOptions.defaults());
        MonitoringFixture f = new MonitoringFixture(backend, null, LoadedConfig.of(
            MonitoringFixture.gatewayConfig(backend.port(), null)).withStatus(StatusConfig.DEFAULTS.withPublicPage(
                new PublicPageConfig(true, "Example AI status", "/public", "127.0.0.1",
                    PublicPageConfig.ADMIN_LISTENER, List.of(new PublicComponentConfig("Chat API",
                        "Chat completions", List.of("chat")))))))) {
      assertThat(f.chat().statusCode()).isEqualTo(200);
      f.awaitRecords(1);
      f.seconds(1);
      assertThat(f.post("/incidents", """
          {"title": "Slow chat answers", "components": ["Chat API"], "impact": "minor",
           "text": "Some answers take longer than usual; we are looking into it."}
          """, true).statusCode()).isEqualTo(201);
      String url = "http://127.0.0.1:" + f.admin.port() + "/public/";

      Result run = run(chromium, "--window-size=1400,1000", "--dump-dom", url);

      assertThat(run.stdout).contains("data-rendered=\"true\"").contains("Example AI status")
          .contains("Chat API").contains("Degraded performance").contains("Slow chat answers")
          .contains("Some answers take longer than usual");
      assertThat(consoleErrors(run.stderr)).as("console errors").isEmpty();
      screenshot(chromium, url, "public-status-page.png");
    }
  }

  @Test
  void publicStatusPageShowsAMaintenanceInTheOperatorsWords() throws Exception {
    String chromium = chromiumOrSkip();
    try (MockBackend backend = MockBackend.start(MockBackendOptions.defaults());
        MonitoringFixture f = new MonitoringFixture(backend, null, LoadedConfig.of(
            MonitoringFixture.gatewayConfig(backend.port(), null)).withStatus(StatusConfig.DEFAULTS.withPublicPage(
                new PublicPageConfig(true, "Example AI status", "/public", "127.0.0.1",
                    PublicPageConfig.ADMIN_LISTENER, List.of(new PublicComponentConfig("Chat API",
                        "Chat completions", List.of("chat")))))))) {
      java.net.http.HttpResponse<String> put = f.client.send(java.net.http.HttpRequest.newBuilder(
              java.net.URI.create("http://127.0.0.1:" + f.admin.port() + "/overrides/routes/chat/maintenance"))
          .header("Authorization", "Bearer " + MonitoringFixture.TOKEN)
          .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"message\": \"New models arrive at 15:00.\"}"))
          .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
      f.seconds(1);
      String url = "http://127.0.0.1:" + f.admin.port() + "/public/";

      Result run = run(chromium, "--window-size=1400,1000", "--dump-dom", url);

      assertThat(run.stdout).contains("data-rendered=\"true\"").contains("Under maintenance")
          .contains("Service Under Maintenance").contains("Chat API under maintenance")
          .contains("New models arrive at 15:00.");
      assertThat(consoleErrors(run.stderr)).as("console errors").isEmpty();
      screenshot(chromium, url, "public-status-page-maintenance.png");
    }
  }

  /** Saves a screenshot under target/ for humans and returns its path. */
  Path screenshot(String chromium, String url, String name) throws Exception {
    Path shot = Path.of("target", name).toAbsolutePath();
    Files.createDirectories(shot.getParent());
    Files.deleteIfExists(shot);
    run(chromium, "--screenshot=" + shot, "--window-size=1400,1000", "--hide-scrollbars", url);
    assertThat(shot).exists();
    return shot;
  }

  /** At 1,400 px the layout fills the width: the right third holds content, not just background. */
  private static void assertRightThirdUsed(Path png) throws Exception {
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(1400);
    int background = 0xf6f8fa;
    long used = 0;
    long total = 0;
    for (int x = image.getWidth() * 2 / 3; x < image.getWidth() - 30; x++) {
      for (int y = 60; y < image.getHeight(); y++) {
        total++;
        if ((image.getRGB(x, y) & 0xffffff) != background) {
          used++;
        }
      }
    }
    assertThat(used * 100 / total).as("percent of the right third covered").isGreaterThan(40);
  }

  static void assertOnlyLocalUrls(String html) {
    assertThat(html).as("no absolute URL in the page").doesNotContainPattern("(?i)(https?:)?//[a-z0-9.-]+[.:/]");
    assertThat(localUrls(html)).allSatisfy(u -> assertThat(u).matches("(/|data:|[a-z0-9._-]+[./?]).*"));
  }

  static List<String> localUrls(String html) {
    Matcher m = Pattern.compile("(?:src|href)=\"([^\"]*)\"").matcher(html);
    List<String> urls = new ArrayList<>();
    while (m.find()) {
      urls.add(m.group(1));
    }
    return urls;
  }

  private static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }

  /** The value of {@code name} on the element with {@code id}, from a DOM dump. */
  static String attribute(String dom, String id, String name) {
    Matcher tag = Pattern.compile("<[a-z]+ [^>]*id=\"" + id + "\"[^>]*>").matcher(dom);
    assertThat(tag.find()).as("element #" + id).isTrue();
    Matcher value = Pattern.compile(name + "=\"([^\"]*)\"").matcher(tag.group());
    assertThat(value.find()).as(name + " on #" + id + " in " + tag.group()).isTrue();
    return value.group(1);
  }

  String chromiumOrSkip() {
    String chromium = findChromium();
    if (chromium == null) {
      System.err.println("\n*** WARNING: no chromium/chromium-browser/google-chrome on PATH: the status page browser "
          + "test is SKIPPED. Install Chromium (apt-get install -y chromium) to run it. ***\n");
    }
    Assumptions.assumeTrue(chromium != null, "no Chromium found on PATH: status page browser test skipped");
    return chromium;
  }

  static List<String> consoleErrors(String stderr) {
    return stderr.lines().filter(l -> l.contains("CONSOLE")).filter(l -> l.contains("ERROR") || l.contains("error"))
        .toList();
  }

  Result run(String chromium, String... args) throws Exception {
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

  record Result(String stdout, String stderr) {}
}
