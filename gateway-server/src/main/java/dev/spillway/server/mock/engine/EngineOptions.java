package dev.spillway.server.mock.engine;

import dev.spillway.core.config.Checks;
import java.time.Duration;
import java.util.Objects;

/**
 * The simulated GPU and serving engine of the {@code llm} mock: continuous batching with a running-batch cap,
 * a KV-cache budget, a bounded FCFS waiting queue and step-timed prefill and decode, as in vLLM and SGLang.
 * The defaults resemble Llama-3-8B in vLLM on one 24 GB GPU (see docs/mock-backend.md).
 *
 * @param maxRunning most sequences in the running batch (vLLM {@code max_num_seqs})
 * @param kvCacheTokens KV-cache budget: prompt plus generated tokens of every running sequence
 * @param maxBatchedTokens tokens computed in one step, decodes (one each) first, then prompt chunks (vLLM
 *     {@code max_num_batched_tokens}, chunked prefill)
 * @param prefillTokensPerSecond prompt tokens computed per second of a step
 * @param decodeStep time of a step with no prompt tokens and no sequences (the fixed cost of a forward pass)
 * @param decodeStepPerSeq extra step time per running sequence
 * @param engineQueue most requests waiting for the running batch; one more is rejected
 * @param lengths where prompt and answer lengths come from
 * @param reasoningFraction share of requests (0..1) that are reasoning answers of 30–120 s when unloaded
 * @param seed seeds the length draws, so a run is repeatable
 * @param metrics which engine's metric names {@code GET /metrics} serves
 * @param modelName the {@code model_name} label of the metrics
 */
public record EngineOptions(int maxRunning, int kvCacheTokens, int maxBatchedTokens, double prefillTokensPerSecond,
                            Duration decodeStep, Duration decodeStepPerSeq, int engineQueue, LengthMode lengths,
                            double reasoningFraction, long seed, MetricsFlavor metrics, String modelName) {
  public static final int DEFAULT_MAX_RUNNING = 256;
  public static final int DEFAULT_KV_CACHE_TOKENS = 65_536;
  public static final int DEFAULT_MAX_BATCHED_TOKENS = 2048;
  public static final double DEFAULT_PREFILL_TOKENS_PER_SECOND = 8000;
  public static final Duration DEFAULT_DECODE_STEP = Duration.ofMillis(10);
  public static final Duration DEFAULT_DECODE_STEP_PER_SEQ = Duration.ofNanos(100_000);
  public static final int DEFAULT_ENGINE_QUEUE = 1024;
  public static final long DEFAULT_SEED = 1;
  public static final String DEFAULT_MODEL_NAME = "mock-gpt";

  public EngineOptions {
    Checks.positive("maxRunning", maxRunning);
    Checks.positive("kvCacheTokens", kvCacheTokens);
    Checks.positive("maxBatchedTokens", maxBatchedTokens);
    if (!(prefillTokensPerSecond > 0) || Double.isInfinite(prefillTokensPerSecond)) {
      throw new IllegalArgumentException(
          "prefillTokensPerSecond: " + prefillTokensPerSecond + " (expected: > 0 and finite)");
    }
    Checks.positive("decodeStep", decodeStep);
    Checks.nonNegative("decodeStepPerSeq", decodeStepPerSeq);
    Checks.nonNegative("engineQueue", engineQueue);
    Checks.notNull("lengths", lengths);
    if (!(reasoningFraction >= 0 && reasoningFraction <= 1)) {
      throw new IllegalArgumentException("reasoningFraction: " + reasoningFraction + " (expected: >= 0 and <= 1)");
    }
    Checks.notNull("metrics", metrics);
    Checks.notBlank("modelName", modelName);
    if (maxBatchedTokens < maxRunning) {
      // Every running sequence must be able to decode in every step, as vLLM requires too.
      throw new IllegalArgumentException("maxBatchedTokens: " + maxBatchedTokens + " (expected: >= maxRunning "
          + maxRunning + ")");
    }
  }

  /** The defaults listed in docs/mock-backend.md. */
  public static EngineOptions defaults() {
    return new EngineOptions(DEFAULT_MAX_RUNNING, DEFAULT_KV_CACHE_TOKENS, DEFAULT_MAX_BATCHED_TOKENS,
        DEFAULT_PREFILL_TOKENS_PER_SECOND, DEFAULT_DECODE_STEP, DEFAULT_DECODE_STEP_PER_SEQ, DEFAULT_ENGINE_QUEUE,
        LengthMode.REQUEST, 0, DEFAULT_SEED, MetricsFlavor.VLLM, DEFAULT_MODEL_NAME);
  }

  /** Step time in nanoseconds with {@code running} sequences and {@code prefillTokens} prompt tokens. */
  public long stepNanos(int running, long prefillTokens) {
    return decodeStep.toNanos() + decodeStepPerSeq.toNanos() * running
        + (long) Math.ceil(prefillTokens * 1e9 / prefillTokensPerSecond);
  }

  public EngineOptions withMaxRunning(int v) {
    return new EngineOptions(v, kvCacheTokens, Math.max(v, maxBatchedTokens), prefillTokensPerSecond, decodeStep,
        decodeStepPerSeq, engineQueue, lengths, reasoningFraction, seed, metrics, modelName);
  }

  public EngineOptions withKvCacheTokens(int v) {
    return new EngineOptions(maxRunning, v, maxBatchedTokens, prefillTokensPerSecond, decodeStep, decodeStepPerSeq,
        engineQueue, lengths, reasoningFraction, seed, metrics, modelName);
  }

  public EngineOptions withMaxBatchedTokens(int v) {
    return new EngineOptions(maxRunning, kvCacheTokens, v, prefillTokensPerSecond, decodeStep, decodeStepPerSeq,
        engineQueue, lengths, reasoningFraction, seed, metrics, modelName);
  }

  public EngineOptions withPrefillTokensPerSecond(double v) {
    return new EngineOptions(maxRunning, kvCacheTokens, maxBatchedTokens, v, decodeStep, decodeStepPerSeq,
        engineQueue, lengths, reasoningFraction, seed, metrics, modelName);
  }

  public EngineOptions withDecodeStep(Duration v) {
    return new EngineOptions(maxRunning, kvCacheTokens, maxBatchedTokens, prefillTokensPerSecond, v,
        decodeStepPerSeq, engineQueue, lengths, reasoningFraction, seed, metrics, modelName);
  }

  public EngineOptions withDecodeStepPerSeq(Duration v) {
    return new EngineOptions(maxRunning, kvCacheTokens, maxBatchedTokens, prefillTokensPerSecond, decodeStep, v,
        engineQueue, lengths, reasoningFraction, seed, metrics, modelName);
  }

  public EngineOptions withEngineQueue(int v) {
    return new EngineOptions(maxRunning, kvCacheTokens, maxBatchedTokens, prefillTokensPerSecond, decodeStep,
        decodeStepPerSeq, v, lengths, reasoningFraction, seed, metrics, modelName);
  }

  public EngineOptions withLengths(LengthMode v) {
    return new EngineOptions(maxRunning, kvCacheTokens, maxBatchedTokens, prefillTokensPerSecond, decodeStep,
        decodeStepPerSeq, engineQueue, Objects.requireNonNull(v, "lengths"), reasoningFraction, seed, metrics,
        modelName);
  }

  public EngineOptions withReasoningFraction(double v) {
    return new EngineOptions(maxRunning, kvCacheTokens, maxBatchedTokens, prefillTokensPerSecond, decodeStep,
        decodeStepPerSeq, engineQueue, lengths, v, seed, metrics, modelName);
  }

  public EngineOptions withSeed(long v) {
    return new EngineOptions(maxRunning, kvCacheTokens, maxBatchedTokens, prefillTokensPerSecond, decodeStep,
        decodeStepPerSeq, engineQueue, lengths, reasoningFraction, v, metrics, modelName);
  }

  public EngineOptions withMetrics(MetricsFlavor v) {
    return new EngineOptions(maxRunning, kvCacheTokens, maxBatchedTokens, prefillTokensPerSecond, decodeStep,
        decodeStepPerSeq, engineQueue, lengths, reasoningFraction, seed, v, modelName);
  }
}
