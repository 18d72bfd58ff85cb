package dev.spillway.server.mock.engine;

import java.util.SplittableRandom;

/**
 * Decides each request's prompt and answer lengths, from the request or from seeded draws.
 *
 * <p>Drawn lengths are log-normal, shaped like the conversation half of Azure's public LLM inference trace
 * (2023): a median prompt of {@value #PROMPT_MEDIAN} tokens (spread {@value #PROMPT_SIGMA}, at most
 * {@value #PROMPT_MAX}) and a median answer of {@value #ANSWER_MEDIAN} tokens (spread {@value #ANSWER_SIGMA}, at
 * most {@value #ANSWER_MAX}), which gives means near 1150 and 210. A reasoning answer (a share
 * {@code reasoningFraction} of all requests) lasts 30 to 120 s, uniformly, at the unloaded decode speed.
 *
 * <p>Not thread-safe: the engine draws on its own event loop, in arrival order, so a seed repeats a run.
 */
public final class LengthSampler {
  static final int PROMPT_MEDIAN = 1020;
  static final double PROMPT_SIGMA = 0.5;
  static final int PROMPT_MAX = 8192;
  static final int ANSWER_MEDIAN = 129;
  static final double ANSWER_SIGMA = 1.0;
  static final int ANSWER_MAX = 2048;
  static final double REASONING_MIN_SECONDS = 30;
  static final double REASONING_MAX_SECONDS = 120;

  /** What a request asks for; {@code -1} where it says nothing. */
  public record Asked(int promptTokens, int maxTokens) {}

  /** The lengths the engine simulates; {@code lengthLimited} when the answer stops at {@code max_tokens}. */
  public record Lengths(int promptTokens, int answerTokens, boolean lengthLimited) {}

  private final EngineOptions options;
  private final SplittableRandom random;
  private final double unloadedItlSeconds;

  public LengthSampler(EngineOptions options) {
    this.options = options;
    this.random = new SplittableRandom(options.seed());
    this.unloadedItlSeconds = options.stepNanos(1, 0) / 1e9;
  }

  /** The lengths of one request; drawn parts never exceed the KV-cache budget together. */
  public Lengths resolve(Asked asked) {
    boolean reasoning = options.reasoningFraction() > 0 && random.nextDouble() < options.reasoningFraction();
    boolean promptFromRequest = options.lengths() == LengthMode.REQUEST && asked.promptTokens() > 0;
    int prompt = promptFromRequest ? asked.promptTokens() : Math.min(drawPrompt(), halfBudget());
    int answer;
    boolean answerFromRequest = false;
    if (reasoning) {
      answer = drawReasoningAnswer();
    } else if (options.lengths() == LengthMode.REQUEST && asked.maxTokens() > 0) {
      answer = asked.maxTokens();
      answerFromRequest = true;
    } else {
      answer = drawAnswer();
    }
    if (!answerFromRequest) {
      answer = (int) Math.max(1, Math.min(answer, (long) options.kvCacheTokens() - prompt));
    }
    if (asked.maxTokens() > 0) {
      // An engine never generates past max_tokens, whatever it would have said.
      answer = Math.min(answer, asked.maxTokens());
    }
    return new Lengths(prompt, answer, asked.maxTokens() > 0 && answer == asked.maxTokens());
  }

  private int halfBudget() {
    return Math.max(1, options.kvCacheTokens() / 2);
  }

  int drawPrompt() {
    return logNormal(PROMPT_MEDIAN, PROMPT_SIGMA, PROMPT_MAX);
  }

  int drawAnswer() {
    return logNormal(ANSWER_MEDIAN, ANSWER_SIGMA, ANSWER_MAX);
  }

  int drawReasoningAnswer() {
    double seconds = REASONING_MIN_SECONDS + random.nextDouble() * (REASONING_MAX_SECONDS - REASONING_MIN_SECONDS);
    return (int) Math.max(1, Math.round(seconds / unloadedItlSeconds));
  }

  private int logNormal(double median, double sigma, int max) {
    double v = median * Math.exp(sigma * random.nextGaussian());
    return (int) Math.max(1, Math.min(max, Math.round(v)));
  }
}
