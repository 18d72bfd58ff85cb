package dev.spillway.bench.scenario;

import java.util.List;

/**
 * The LLM engine simulator's own view of a run, scraped from its {@code GET /metrics} (vLLM names): sequences in
 * the running batch, requests waiting for it, and the KV cache's fill (0..1). This is the backend's truth about
 * free room, which a proxy's in-flight count only approximates: the engine's batch is bound by its KV cache, so
 * how many sequences fit depends on their lengths. Empty for a backend without these metrics (the fixed mock).
 */
record EngineTrace(List<MetricsScraper.Sample> running, List<MetricsScraper.Sample> waiting,
    List<MetricsScraper.Sample> kvUsage) {
  static final String RUNNING = "vllm:num_requests_running";
  static final String WAITING = "vllm:num_requests_waiting";
  static final String KV_USAGE = "vllm:kv_cache_usage_perc";
  static final EngineTrace NONE = new EngineTrace(List.of(), List.of(), List.of());

  EngineTrace {
    running = List.copyOf(running);
    waiting = List.copyOf(waiting);
    kvUsage = List.copyOf(kvUsage);
  }

  /** A scraper of the engine on {@code port}. */
  static MetricsScraper scraper(int port) {
    return new MetricsScraper(port, "/metrics", List.of(RUNNING, WAITING, KV_USAGE));
  }

  /** What {@code scraper} (from {@link #scraper}) collected. */
  static EngineTrace of(MetricsScraper scraper) {
    return new EngineTrace(scraper.samples(RUNNING), scraper.samples(WAITING), scraper.samples(KV_USAGE));
  }

  /** Whether anything was scraped. */
  boolean present() {
    return !waiting.isEmpty();
  }

  /** The most of a series, NaN without samples. */
  static double max(List<MetricsScraper.Sample> samples) {
    return samples.stream().mapToDouble(MetricsScraper.Sample::value).max().orElse(Double.NaN);
  }

  /** The most of a series in {@code [from, to)} seconds, NaN without samples there. */
  static double max(List<MetricsScraper.Sample> samples, double from, double to) {
    return samples.stream().filter(s -> s.seconds() >= from && s.seconds() < to)
        .mapToDouble(MetricsScraper.Sample::value).max().orElse(Double.NaN);
  }

  /**
   * The last sample at or before {@code seconds}, if it is at most {@code maxAge} old; null otherwise (a
   * scrape failed, or the series had not started).
   */
  static MetricsScraper.Sample at(List<MetricsScraper.Sample> samples, double seconds, double maxAge) {
    MetricsScraper.Sample last = null;
    for (MetricsScraper.Sample s : samples) {
      if (s.seconds() > seconds) {
        break;
      }
      last = s;
    }
    return last == null || seconds - last.seconds() > maxAge ? null : last;
  }
}
