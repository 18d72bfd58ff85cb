package dev.spillway.server.mock.engine;

import java.util.Locale;

/**
 * What an engine with given options can sustain, from its step-time model, so a benchmark can place its load
 * relative to capacity.
 *
 * <p>A running sequence holds on average {@code kvPerSeq = P + E[O²] / (2 E[O])} KV tokens (its prompt plus
 * half its answer, weighted by how long it runs), so the batch settles at {@code B = min(maxRunning,
 * kvCacheTokens / kvPerSeq)}. A step of that batch takes {@code s = decodeStep + decodeStepPerSeq × B} and
 * yields {@code X = B / s} tokens per second. Each request also costs {@code P / prefillTokensPerSecond} of
 * prefill, so the sustainable rate is {@code λ = X / (O + X × P / prefillTokensPerSecond)} requests per second,
 * with {@code P} and {@code O} the mean prompt and answer lengths.
 *
 * @param requestsPerSecond sustainable arrival rate λ
 * @param batch running sequences at that rate
 * @param interTokenSeconds mean step time at that rate (prefill chunks included)
 * @param unloadedTtftSeconds time to first token of a mean prompt on an idle engine
 * @param unloadedItlSeconds time between tokens of a lone sequence
 * @param meanPromptTokens P
 * @param meanAnswerTokens O
 * @param kvBound true when the KV cache, not {@code maxRunning}, bounds the batch
 */
public record EngineCapacity(double requestsPerSecond, double batch, double interTokenSeconds,
                             double unloadedTtftSeconds, double unloadedItlSeconds, double meanPromptTokens,
                             double meanAnswerTokens, boolean kvBound) {
  /** Draws used to estimate the means of the options' own length distributions. */
  static final int SAMPLES = 200_000;

  /** The capacity for the mix the options draw (trace-shaped lengths, with the reasoning share). */
  public static EngineCapacity estimate(EngineOptions options) {
    LengthSampler sampler = new LengthSampler(options.withLengths(LengthMode.TRACE));
    LengthSampler.Asked none = new LengthSampler.Asked(-1, -1);
    double prompt = 0;
    double answer = 0;
    double answerSquared = 0;
    for (int i = 0; i < SAMPLES; i++) {
      LengthSampler.Lengths l = sampler.resolve(none);
      prompt += l.promptTokens();
      answer += l.answerTokens();
      answerSquared += (double) l.answerTokens() * l.answerTokens();
    }
    return estimate(options, prompt / SAMPLES, answer / SAMPLES, answerSquared / SAMPLES);
  }

  /**
   * The capacity for a mix with mean prompt {@code meanPrompt}, mean answer {@code meanAnswer} and mean squared
   * answer {@code meanAnswerSquared} (for fixed lengths, {@code meanAnswer²}).
   */
  public static EngineCapacity estimate(EngineOptions options, double meanPrompt, double meanAnswer,
                                        double meanAnswerSquared) {
    double kvPerSeq = meanPrompt + meanAnswerSquared / (2 * meanAnswer);
    double kvBatch = options.kvCacheTokens() / kvPerSeq;
    double batch = Math.max(1, Math.min(options.maxRunning(), kvBatch));
    double d0 = options.decodeStep().toNanos() / 1e9;
    double d1 = options.decodeStepPerSeq().toNanos() / 1e9;
    double step = d0 + d1 * batch;
    double tokensPerSecond = batch / step;
    double prefillSecondsPerRequest = meanPrompt / options.prefillTokensPerSecond();
    double rate = tokensPerSecond / (meanAnswer + tokensPerSecond * prefillSecondsPerRequest);
    double decodeShare = Math.max(1e-9, 1 - rate * prefillSecondsPerRequest);
    double chunks = Math.ceil(meanPrompt / options.maxBatchedTokens());
    double ttft = chunks * (d0 + d1) + prefillSecondsPerRequest;
    return new EngineCapacity(rate, batch, step / decodeShare, ttft, d0 + d1, meanPrompt, meanAnswer,
        kvBatch < options.maxRunning());
  }

  /** One line for the start-up banner. */
  public String describe() {
    return String.format(Locale.ROOT, "capacity ~%.2f req/s for mean prompt %.0f / answer %.0f tokens "
            + "(batch %.0f, %s-bound; ITL %.1f ms at capacity, %.1f ms alone; unloaded TTFT %.0f ms)",
        requestsPerSecond, meanPromptTokens, meanAnswerTokens, batch, kvBound ? "KV" : "max-running",
        interTokenSeconds * 1e3, unloadedItlSeconds * 1e3, unloadedTtftSeconds * 1e3);
  }
}
