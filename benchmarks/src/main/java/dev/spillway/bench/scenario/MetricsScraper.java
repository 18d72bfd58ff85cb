package dev.spillway.bench.scenario;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Polls a Prometheus text endpoint on 127.0.0.1 at a fixed period and keeps the values of a few series over
 * time: Spillway's concurrency limit, in-flight count and waiting-room depth from its admin {@code /metrics},
 * or a simulated engine's running requests. A series is named by its metric name, optionally with a label
 * filter ({@code spillway_backend_concurrency_limit{backend="mock"}} matches lines that have that name and
 * contain that label). Histograms ({@link #withHistogram}) are kept whole: each scrape's cumulative bucket
 * counts, for {@link HistogramWindow}. A failed scrape leaves a gap; it never stops the run.
 */
final class MetricsScraper implements AutoCloseable {
  /** One value of one series, {@code seconds} after the scraper's origin. */
  record Sample(double seconds, double value) {}

  private final URI uri;
  private final List<String> series;
  private final Map<String, List<Sample>> samples = new LinkedHashMap<>();
  /** Histograms by name, each scrape's buckets (guarded by {@link #samples}, like the series). */
  private final Map<String, List<HistogramWindow.Buckets>> histograms = new LinkedHashMap<>();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofMillis(500)).build();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "metrics-scraper");
    t.setDaemon(true);
    return t;
  });
  private volatile long originNanos;
  private volatile int failures;

  /** A scraper of {@code http://127.0.0.1:<port><path>} for these series. */
  MetricsScraper(int port, String path, List<String> series) {
    this.uri = URI.create("http://127.0.0.1:" + port + path);
    this.series = List.copyOf(series);
    for (String s : series) {
      samples.put(s, new ArrayList<>());
    }
  }

  /** Also keeps the buckets of histogram {@code name} (its base name, without {@code _bucket}) at each scrape. */
  MetricsScraper withHistogram(String name) {
    synchronized (samples) {
      histograms.put(name, new ArrayList<>());
    }
    return this;
  }

  /** Starts polling every {@code period}; times are counted from {@code originNanos} (System.nanoTime). */
  MetricsScraper start(long originNanos, Duration period) {
    this.originNanos = originNanos;
    timer.scheduleAtFixedRate(this::scrape, 0, period.toNanos(), TimeUnit.NANOSECONDS);
    return this;
  }

  /** One scrape now, outside the schedule; the values, by series (NaN where missing). */
  Map<String, Double> scrapeOnce() {
    Map<String, Double> values = new LinkedHashMap<>();
    String text = fetch();
    for (String s : series) {
      values.put(s, text == null ? Double.NaN : value(text, s));
    }
    return values;
  }

  private void scrape() {
    double t = (System.nanoTime() - originNanos) / 1e9;
    String text = fetch();
    if (text == null) {
      failures++;
      return;
    }
    synchronized (samples) {
      for (String s : series) {
        double v = value(text, s);
        if (!Double.isNaN(v)) {
          samples.get(s).add(new Sample(t, v));
        }
      }
      histograms.forEach((name, scrapes) -> scrapes.add(new HistogramWindow.Buckets(t,
          HistogramWindow.parse(text, name))));
    }
  }

  private String fetch() {
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMillis(1000)).GET()
          .build(), HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? response.body() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The value of the first line of {@code text} matching {@code series}, or NaN. */
  static double value(String text, String series) {
    int brace = series.indexOf('{');
    String name = brace < 0 ? series : series.substring(0, brace);
    String label = brace < 0 ? null : series.substring(brace + 1, series.length() - 1);
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || !line.startsWith(name)) {
        continue;
      }
      int end = name.length();
      if (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
        continue;
      }
      if (label != null && !line.contains(label)) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      try {
        return Double.parseDouble(line.substring(space + 1).trim());
      } catch (NumberFormatException e) {
        return Double.NaN;
      }
    }
    return Double.NaN;
  }

  /** The samples of {@code series} so far, in time order. */
  List<Sample> samples(String series) {
    synchronized (samples) {
      return List.copyOf(samples.getOrDefault(series, List.of()));
    }
  }

  /** The scrapes of histogram {@code name} so far, in time order (none unless {@link #withHistogram}). */
  List<HistogramWindow.Buckets> histogram(String name) {
    synchronized (samples) {
      return List.copyOf(histograms.getOrDefault(name, List.of()));
    }
  }

  int failures() {
    return failures;
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
