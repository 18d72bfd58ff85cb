package dev.spillway.core.config;

/**
 * How a route estimates a request's LLM tokens before forwarding it.
 *
 * @param maxPrefixBytes how much of the JSON body is held and scanned for {@code max_tokens} and the
 *     messages; a body larger than this is forwarded with what the prefix showed (the rest of the prompt is
 *     estimated from {@code Content-Length})
 * @param charsPerToken characters per token in the prompt estimate when no BPE encoding applies (OpenAI's
 *     rule of thumb is 4)
 * @param defaultMaxTokens the completion budget assumed when a request sets no {@code max_tokens}
 * @param requestUsage add {@code stream_options.include_usage} to streamed requests that lack it, so the
 *     reservation can be settled exactly (the extra chunk is removed before the client sees it)
 * @param tokenizer how the prompt text is counted: the model's BPE encoding or characters
 */
public record TokenEstimationConfig(long maxPrefixBytes, int charsPerToken, long defaultMaxTokens,
    boolean requestUsage, Tokenizer tokenizer) {
  public static final long DEFAULT_MAX_PREFIX_BYTES = 64 * 1024;
  public static final int DEFAULT_CHARS_PER_TOKEN = 4;
  public static final long DEFAULT_MAX_TOKENS = 1024;
  public static final Tokenizer DEFAULT_TOKENIZER = Tokenizer.AUTO;
  public static final TokenEstimationConfig DEFAULTS = new TokenEstimationConfig(DEFAULT_MAX_PREFIX_BYTES,
      DEFAULT_CHARS_PER_TOKEN, DEFAULT_MAX_TOKENS, true, DEFAULT_TOKENIZER);

  public TokenEstimationConfig {
    Checks.positive("maxPrefixBytes", maxPrefixBytes);
    if (maxPrefixBytes > 16L << 20) {
      throw new ConfigException("maxPrefixBytes", DataSizes.format(maxPrefixBytes) + " (expected: <= 16MiB)");
    }
    Checks.inRange("charsPerToken", charsPerToken, 1, 64);
    Checks.positive("defaultMaxTokens", defaultMaxTokens);
    Checks.notNull("tokenizer", tokenizer);
  }

  /** The default tokenizer ({@link Tokenizer#AUTO}) with the other settings given. */
  public TokenEstimationConfig(long maxPrefixBytes, int charsPerToken, long defaultMaxTokens,
      boolean requestUsage) {
    this(maxPrefixBytes, charsPerToken, defaultMaxTokens, requestUsage, DEFAULT_TOKENIZER);
  }
}
