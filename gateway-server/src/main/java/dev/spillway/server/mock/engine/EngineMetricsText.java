package dev.spillway.server.mock.engine;

/**
 * Renders {@link EngineStats} in the Prometheus text format (version 0.0.4) with the metric names, labels and
 * help texts of the engine named by {@link MetricsFlavor}, so a scraper written for the real engine reads it.
 */
public final class EngineMetricsText {
  /** The {@code Content-Type} of the rendered text. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private EngineMetricsText() {}

  public static String render(EngineOptions options, EngineStats stats) {
    StringBuilder out = new StringBuilder(4096);
    double kvUsage = Math.min(1.0, (double) stats.kvUsed() / options.kvCacheTokens());
    switch (options.metrics()) {
      case VLLM -> vllm(out, "engine=\"0\",model_name=\"" + options.modelName() + "\"", stats, kvUsage);
      case SGLANG -> sglang(out, "model_name=\"" + options.modelName() + "\",tp_rank=\"0\",pp_rank=\"0\"",
          stats, kvUsage);
      case TGI -> tgi(out, stats);
    }
    return out.toString();
  }

  private static void vllm(StringBuilder out, String labels, EngineStats s, double kvUsage) {
    gauge(out, "vllm:num_requests_running", "Number of requests in model execution batches.", labels, s.running());
    gauge(out, "vllm:num_requests_waiting", "Number of requests waiting to be processed.", labels, s.waiting());
    gauge(out, "vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.", labels, kvUsage);
    counter(out, "vllm:num_preemptions_total", "Cumulative number of preemption from the engine.", labels,
        s.preemptions.sum());
    counter(out, "vllm:prompt_tokens_total", "Number of prefill tokens processed.", labels, s.promptTokens.sum());
    counter(out, "vllm:generation_tokens_total", "Number of generation tokens processed.", labels,
        s.generationTokens.sum());
    head(out, "vllm:request_success_total", "Count of successfully processed requests.", "counter");
    sample(out, "vllm:request_success_total", labels + ",finished_reason=\"stop\"", s.finishedStop.sum());
    sample(out, "vllm:request_success_total", labels + ",finished_reason=\"length\"", s.finishedLength.sum());
    sample(out, "vllm:request_success_total", labels + ",finished_reason=\"abort\"", s.aborted.sum());
    head(out, "vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.", "histogram");
    s.ttft.render(out, "vllm:time_to_first_token_seconds", labels);
    head(out, "vllm:e2e_request_latency_seconds", "Histogram of e2e request latency in seconds.", "histogram");
    s.e2e.render(out, "vllm:e2e_request_latency_seconds", labels);
  }

  private static void sglang(StringBuilder out, String labels, EngineStats s, double kvUsage) {
    gauge(out, "sglang:num_running_reqs", "The number of running requests.", labels, s.running());
    gauge(out, "sglang:num_queue_reqs", "The number of requests in the waiting queue.", labels, s.waiting());
    gauge(out, "sglang:token_usage", "The token usage.", labels, kvUsage);
    counter(out, "sglang:prompt_tokens_total", "Number of prefill tokens processed.", labels,
        s.promptTokens.sum());
    counter(out, "sglang:generation_tokens_total", "Number of generation tokens processed.", labels,
        s.generationTokens.sum());
    counter(out, "sglang:num_requests_total", "Number of requests processed.", labels, s.finished());
    head(out, "sglang:time_to_first_token_seconds", "Histogram of time to first token in seconds.", "histogram");
    s.ttft.render(out, "sglang:time_to_first_token_seconds", labels);
    head(out, "sglang:e2e_request_latency_seconds", "Histogram of End-to-end request latency in seconds",
        "histogram");
    s.e2e.render(out, "sglang:e2e_request_latency_seconds", labels);
  }

  /** TGI exports through the Rust metrics crate: {@code # TYPE} lines only, no labels, no help. */
  private static void tgi(StringBuilder out, EngineStats s) {
    out.append("# TYPE tgi_batch_current_size gauge\ntgi_batch_current_size ").append(s.running()).append('\n');
    out.append("# TYPE tgi_queue_size gauge\ntgi_queue_size ").append(s.waiting()).append('\n');
    out.append("# TYPE tgi_batch_current_max_tokens gauge\ntgi_batch_current_max_tokens ").append(s.kvUsed())
        .append('\n');
    out.append("# TYPE tgi_request_success counter\ntgi_request_success ").append(s.finished()).append('\n');
    out.append("# TYPE tgi_request_failure counter\ntgi_request_failure{err=\"overloaded\"} ")
        .append(s.rejected()).append('\n');
    out.append("# TYPE tgi_request_generated_tokens_total counter\ntgi_request_generated_tokens_total ")
        .append(s.generationTokens.sum()).append('\n');
    out.append("# TYPE tgi_request_duration histogram\n");
    s.e2e.render(out, "tgi_request_duration", "");
  }

  private static void gauge(StringBuilder out, String name, String help, String labels, double value) {
    head(out, name, help, "gauge");
    sample(out, name, labels, value);
  }

  private static void counter(StringBuilder out, String name, String help, String labels, double value) {
    head(out, name, help, "counter");
    sample(out, name, labels, value);
  }

  private static void head(StringBuilder out, String name, String help, String type) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static void sample(StringBuilder out, String name, String labels, double value) {
    out.append(name).append('{').append(labels).append("} ").append(value).append('\n');
  }
}
