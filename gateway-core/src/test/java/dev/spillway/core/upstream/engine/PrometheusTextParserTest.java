package dev.spillway.core.upstream.engine;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.EngineSignalConfig;
import dev.spillway.core.config.EngineSignalConfig.EnginePreset;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class PrometheusTextParserTest {
  /** The shape of vLLM 0.10's /metrics (v1 engine, two data-parallel engine cores), trimmed. */
  static final String VLLM = """
      # HELP python_gc_objects_collected_total Objects collected during gc
      # TYPE python_gc_objects_collected_total counter
      python_gc_objects_collected_total{generation="0"} 12345.0
      # HELP vllm:num_requests_running Number of requests in model execution batches.
      # TYPE vllm:num_requests_running gauge
      vllm:num_requests_running{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 37.0
      vllm:num_requests_running{engine="1",model_name="meta-llama/Llama-3.1-8B-Instruct"} 35.0
      # HELP vllm:num_requests_waiting Number of requests waiting to be processed.
      # TYPE vllm:num_requests_waiting gauge
      vllm:num_requests_waiting{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 4.0
      vllm:num_requests_waiting{engine="1",model_name="meta-llama/Llama-3.1-8B-Instruct"} 1.0
      # HELP vllm:num_requests_waiting_by_reason Number of requests waiting, by reason.
      # TYPE vllm:num_requests_waiting_by_reason gauge
      vllm:num_requests_waiting_by_reason{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct",reason="capacity"} 4.0
      # HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.
      # TYPE vllm:kv_cache_usage_perc gauge
      vllm:kv_cache_usage_perc{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.8125
      vllm:kv_cache_usage_perc{engine="1",model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.75
      # HELP vllm:prompt_tokens_total Number of prefill tokens processed.
      # TYPE vllm:prompt_tokens_total counter
      vllm:prompt_tokens_total{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 1.234567e+06
      vllm:prompt_tokens_created{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 1.7400000e+09
      # HELP vllm:time_to_first_token_seconds Histogram of time to first token in seconds.
      # TYPE vllm:time_to_first_token_seconds histogram
      vllm:time_to_first_token_seconds_bucket{engine="0",le="0.001",model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.0
      vllm:time_to_first_token_seconds_bucket{engine="0",le="+Inf",model_name="meta-llama/Llama-3.1-8B-Instruct"} 812.0
      vllm:time_to_first_token_seconds_count{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 812.0
      vllm:time_to_first_token_seconds_sum{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 97.5
      """;

  /** The shape of SGLang's /metrics with two tensor-parallel ranks. */
  static final String SGLANG = """
      # HELP sglang:num_running_reqs The number of running requests.
      # TYPE sglang:num_running_reqs gauge
      sglang:num_running_reqs{model_name="meta-llama/Llama-3.1-8B-Instruct",engine_type="unified",tp_rank="0",pp_rank="0"} 162.0
      # HELP sglang:num_used_tokens The number of used tokens.
      # TYPE sglang:num_used_tokens gauge
      sglang:num_used_tokens{model_name="meta-llama/Llama-3.1-8B-Instruct",engine_type="unified",tp_rank="0",pp_rank="0"} 123859.0
      # HELP sglang:token_usage The token usage.
      # TYPE sglang:token_usage gauge
      sglang:token_usage{model_name="meta-llama/Llama-3.1-8B-Instruct",engine_type="unified",tp_rank="0",pp_rank="0"} 0.28
      # HELP sglang:gen_throughput The generation throughput (token/s).
      # TYPE sglang:gen_throughput gauge
      sglang:gen_throughput{model_name="meta-llama/Llama-3.1-8B-Instruct",engine_type="unified",tp_rank="0",pp_rank="0"} 86.50814177726902
      # HELP sglang:num_queue_reqs The number of requests in the waiting queue.
      # TYPE sglang:num_queue_reqs gauge
      sglang:num_queue_reqs{model_name="meta-llama/Llama-3.1-8B-Instruct",engine_type="unified",tp_rank="0",pp_rank="0"} 2826.0
      """;

  /** The shape of TGI's /metrics (the Rust metrics exporter: TYPE lines, few labels). */
  static final String TGI = """
      # TYPE tgi_request_count counter
      tgi_request_count 42
      # TYPE tgi_queue_size gauge
      tgi_queue_size 6
      # TYPE tgi_batch_current_size gauge
      tgi_batch_current_size 4
      # TYPE tgi_batch_current_max_tokens gauge
      tgi_batch_current_max_tokens 18432
      # TYPE tgi_batch_inference_duration histogram
      tgi_batch_inference_duration_bucket{method="decode",le="0.005"} 120
      tgi_batch_inference_duration_sum{method="decode"} 30.0
      tgi_batch_inference_duration_count{method="decode"} 3000
      """;

  private static EngineSample parse(EnginePreset preset, String text, int chunkSize) {
    PrometheusTextParser parser = EngineScraper.parser(EngineSignalConfig.of(preset));
    byte[] bytes = text.getBytes(UTF_8);
    for (int i = 0; i < bytes.length; i += chunkSize) {
      ByteBuf chunk = Unpooled.wrappedBuffer(bytes, i, Math.min(chunkSize, bytes.length - i));
      parser.feed(chunk);
      chunk.release();
    }
    parser.finish();
    return EngineScraper.sample(parser, 7);
  }

  @Test
  void vllmSumsEngineCoresAndTakesTheFullestCache() {
    EngineSample s = parse(EnginePreset.VLLM, VLLM, 8192);

    assertThat(s).isEqualTo(new EngineSample(72, 5, 0.8125, 7));
  }

  @Test
  void chunkBoundariesAnywhereGiveTheSameResult() {
    for (int size : new int[] {1, 2, 3, 7, 64, 100}) {
      assertThat(parse(EnginePreset.VLLM, VLLM, size)).as("chunks of %d", size)
          .isEqualTo(new EngineSample(72, 5, 0.8125, 7));
    }
  }

  @Test
  void sglangNames() {
    assertThat(parse(EnginePreset.SGLANG, SGLANG, 50)).isEqualTo(new EngineSample(162, 2826, 0.28, 7));
  }

  @Test
  void tgiHasNoKvCacheGauge() {
    EngineSample s = parse(EnginePreset.TGI, TGI, 50);

    assertThat(s.running()).isEqualTo(4);
    assertThat(s.waiting()).isEqualTo(6);
    assertThat(s.kvCacheUsage()).isNaN();
  }

  @Test
  void anAnswerWithoutTheWaitingGaugeYieldsNoSample() {
    assertThat(parse(EnginePreset.VLLM, SGLANG, 50)).isNull();
  }

  @Test
  void labelValuesMayHoldBracesSpacesAndEscapedQuotes() {
    String text = "vllm:num_requests_waiting{model_name=\"a } b \\\" c\",engine=\"0\"} 3 1700000000000\r\n"
        + "vllm:num_requests_waiting{model_name=\"x\"} NaN\n"
        + "vllm:num_requests_waiting{model_name=\"y\"} not-a-number\n"
        + "vllm:num_requests_waiting{model_name=\"unclosed\" 100\n"
        + "  vllm:num_requests_running 2";

    EngineSample s = parse(EnginePreset.VLLM, text, 5);

    assertThat(s.waiting()).isEqualTo(3);
    assertThat(s.running()).isEqualTo(2);
  }

  @Test
  void overlongLinesAreSkippedWhole() {
    String huge = "vllm:num_requests_waiting{model_name=\"" + "x".repeat(PrometheusTextParser.MAX_LINE) + "\"} 50\n";

    EngineSample s = parse(EnginePreset.VLLM, huge + "vllm:num_requests_waiting 1\n", 999);

    assertThat(s.waiting()).isEqualTo(1);
  }
}
