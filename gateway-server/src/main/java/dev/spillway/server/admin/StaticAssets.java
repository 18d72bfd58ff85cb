package dev.spillway.server.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;

/**
 * The files the status pages load besides themselves, read once from the jar: uPlot (from the
 * {@code org.webjars.npm:uplot} webjar) under {@code /assets/uplot/}. Nothing is ever fetched from the internet,
 * so the pages work on an isolated network.
 */
final class StaticAssets {
  private static final String WEBJAR = "META-INF/resources/webjars/uplot/";

  /** A file and its content type. */
  record Asset(byte[] body, String contentType) {}

  private final Map<String, Asset> byPath;

  private StaticAssets(Map<String, Asset> byPath) {
    this.byPath = byPath;
  }

  /** Loads every asset, failing fast if the jar lacks one (a broken build, not a runtime condition). */
  static StaticAssets load() {
    String version = uplotVersion();
    String dist = WEBJAR + version + "/dist/";
    return new StaticAssets(Map.of(
        "/assets/uplot/uPlot.iife.min.js", new Asset(read(dist + "uPlot.iife.min.js"),
            "text/javascript; charset=utf-8"),
        "/assets/uplot/uPlot.min.css", new Asset(read(dist + "uPlot.min.css"), "text/css; charset=utf-8"),
        "/assets/uplot/LICENSE", new Asset(read(WEBJAR + version + "/LICENSE"), "text/plain; charset=utf-8")));
  }

  /** The asset at {@code path}, or {@code null}. */
  Asset get(String path) {
    return byPath.get(path);
  }

  private static String uplotVersion() {
    Properties p = new Properties();
    try (InputStream in = resource("META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p.getProperty("version");
  }

  private static byte[] read(String name) {
    try (InputStream in = resource(name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InputStream resource(String name) {
    InputStream in = StaticAssets.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      throw new IllegalStateException(name + " missing from the class path (the uplot webjar)");
    }
    return in;
  }
}
