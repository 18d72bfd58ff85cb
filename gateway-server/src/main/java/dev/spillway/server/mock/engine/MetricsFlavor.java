package dev.spillway.server.mock.engine;

/**
 * Which serving engine the simulator imitates on {@code GET /metrics} (metric names and labels) and when its
 * waiting queue is full (status and body).
 */
public enum MetricsFlavor {
  /** {@code vllm:num_requests_running}, {@code vllm:num_requests_waiting}, {@code vllm:kv_cache_usage_perc}. */
  VLLM,
  /** {@code sglang:num_running_reqs}, {@code sglang:num_queue_reqs}, {@code sglang:token_usage}. */
  SGLANG,
  /** {@code tgi_batch_current_size}, {@code tgi_queue_size}; a full queue answers TGI's 429. */
  TGI
}
