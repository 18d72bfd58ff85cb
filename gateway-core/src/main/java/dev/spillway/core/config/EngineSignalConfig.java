package dev.spillway.core.config;

import java.time.Duration;

/**
 * Reading the inference engines' own load ({@code backends.<name>.concurrency.engineSignal}): every endpoint's
 * Prometheus metrics are scraped each {@code interval}, and their running requests, waiting requests and
 * KV-cache use pick endpoints (fewest waiting first) and hold the backend's concurrency limit where the
 * engines' waiting queues stay near {@code targetWaiting}. A metric scraped longer ago than {@code staleAfter}
 * no longer counts; without fresh metrics the backend runs on its latency-based limit and usual balancing.
 *
 * @param preset the engine whose metric names and path are the defaults
 * @param path the metrics request target, e.g. {@code /metrics}
 * @param runningMetric the gauge of requests in the engine's running batch
 * @param waitingMetric the gauge of requests waiting in the engine's queue
 * @param kvCacheMetric the gauge of KV-cache use from 0 to 1, or empty when the engine has none
 * @param interval time between two scrapes of one endpoint; 100ms..60s
 * @param timeout connect plus answer time allowed to one scrape
 * @param staleAfter age past which an endpoint's last scrape no longer counts; at least {@code interval}
 * @param targetWaiting waiting requests per engine the concurrency limit aims at
 * @param maxResponseBytes largest metrics answer read; a larger one fails the scrape
 * @param combine how the engine limit and the latency-based limit make the backend's limit while the engine
 *     metrics are fresh
 */
public record EngineSignalConfig(EnginePreset preset, String path, String runningMetric, String waitingMetric,
                                 String kvCacheMetric, Duration interval, Duration timeout, Duration staleAfter,
                                 int targetWaiting, int maxResponseBytes, Combine combine) {
  public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(500);
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(400);
  public static final int DEFAULT_TARGET_WAITING = 2;
  public static final int DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
  /** A scrape counts for this many intervals. */
  public static final int STALE_INTERVALS = 3;

  /** How the engine limit meets the latency-based limit while the engine metrics are fresh. */
  public enum Combine {
    /** The smaller of the two: the engines can only lower what latency allows. */
    MIN,
    /** The engine limit alone; the latency limit keeps learning and takes over when the metrics go stale. */
    OVERRIDE
  }

  /** The engines whose metric names are built in. */
  public enum EnginePreset {
    /** vLLM: {@code vllm:num_requests_running}, {@code vllm:num_requests_waiting}, {@code vllm:kv_cache_usage_perc}. */
    VLLM("vllm:num_requests_running", "vllm:num_requests_waiting", "vllm:kv_cache_usage_perc"),
    /** SGLang: {@code sglang:num_running_reqs}, {@code sglang:num_queue_reqs}, {@code sglang:token_usage}. */
    SGLANG("sglang:num_running_reqs", "sglang:num_queue_reqs", "sglang:token_usage"),
    /** Text Generation Inference: {@code tgi_batch_current_size}, {@code tgi_queue_size}; no KV-cache gauge. */
    TGI("tgi_batch_current_size", "tgi_queue_size", "");

    private final String running;
    private final String waiting;
    private final String kvCache;

    EnginePreset(String running, String waiting, String kvCache) {
      this.running = running;
      this.waiting = waiting;
      this.kvCache = kvCache;
    }

    public String running() {
      return running;
    }

    public String waiting() {
      return waiting;
    }

    public String kvCache() {
      return kvCache;
    }
  }

  public EngineSignalConfig {
    Checks.notNull("preset", preset);
    Checks.notBlank("path", path);
    if (path.charAt(0) != '/' || path.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
      throw new ConfigException("path", "\"" + path + "\" (expected: an origin-form target like /metrics)");
    }
    metricName("runningMetric", runningMetric, false);
    metricName("waitingMetric", waitingMetric, false);
    metricName("kvCacheMetric", kvCacheMetric, true);
    Checks.positive("interval", interval);
    if (interval.compareTo(Duration.ofMillis(100)) < 0 || interval.compareTo(Duration.ofSeconds(60)) > 0) {
      throw new ConfigException("interval", Durations.format(interval) + " (expected: 100ms..60s)");
    }
    Checks.positive("timeout", timeout);
    Checks.positive("staleAfter", staleAfter);
    if (staleAfter.compareTo(interval) < 0) {
      throw new ConfigException("staleAfter", Durations.format(staleAfter) + " (expected: >= interval "
          + Durations.format(interval) + ")");
    }
    Checks.nonNegative("targetWaiting", targetWaiting);
    Checks.positive("maxResponseBytes", maxResponseBytes);
    Checks.notNull("combine", combine);
  }

  /**
   * The preset's names and path, scraped every 500ms, stale after three intervals, aiming at 2 waiting, the
   * smaller of the engine and latency limits.
   */
  public static EngineSignalConfig of(EnginePreset preset) {
    return new EngineSignalConfig(preset, "/metrics", preset.running(), preset.waiting(), preset.kvCache(),
        DEFAULT_INTERVAL, DEFAULT_TIMEOUT, DEFAULT_INTERVAL.multipliedBy(STALE_INTERVALS), DEFAULT_TARGET_WAITING,
        DEFAULT_MAX_RESPONSE_BYTES, Combine.MIN);
  }

  /** Whether the engine reports KV-cache use. */
  public boolean hasKvCacheMetric() {
    return !kvCacheMetric.isEmpty();
  }

  private static void metricName(String key, String name, boolean emptyAllowed) {
    Checks.notNull(key, name);
    if (name.isEmpty() && emptyAllowed) {
      return;
    }
    // Prometheus names: [a-zA-Z_:][a-zA-Z0-9_:]*
    boolean ok = !name.isEmpty() && !Character.isDigit(name.charAt(0));
    for (int i = 0; ok && i < name.length(); i++) {
      char c = name.charAt(i);
      ok = c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
    if (!ok) {
      throw new ConfigException(key, "\"" + name + "\" (expected: a Prometheus metric name like "
          + "vllm:num_requests_waiting)");
    }
  }
}
