package dev.spillway.core.llm;

import dev.spillway.core.config.TokenEstimationConfig;
import dev.spillway.core.config.Tokenizer;

/**
 * A route's token estimate for one request, from what its {@link ChatRequestScanner} saw: the prompt text
 * counted with the model's BPE encoding where one applies ({@link BpeEncoding#resolve}), in characters /
 * {@code charsPerToken} otherwise, and the reservation by OpenAI's rule (the larger of the completion budget
 * and the prompt; see {@link ChatRequestScanner#estimateTokens}).
 *
 * <p>The BPE count runs on the event loop, so it is bounded: at most {@link #MAX_TOKENIZED_BYTES} of prompt
 * text is tokenized, and the tokens of the rest of the text seen are extrapolated from that sample's tokens per
 * character (then, like characters, to a {@code Content-Length} beyond the scanned prefix). Tokenizing costs
 * one to two orders of magnitude more per byte than the character scan (docs/benchmarks.md,
 * PromptTokenizerBenchmark); the bound caps what one request takes from the loop. Thread-safe and immutable.
 */
public final class TokenEstimator {
  /** The most prompt text, in UTF-8 bytes, tokenized per request; the rest is extrapolated. */
  public static final int MAX_TOKENIZED_BYTES = 4 * 1024;

  private final TokenEstimationConfig config;
  private final int maxTokenizedBytes;

  /** The estimator of a route; loads the BPE tables its tokenizer may use now, on the calling thread. */
  public TokenEstimator(TokenEstimationConfig config) {
    this(config, MAX_TOKENIZED_BYTES, true);
  }

  /**
   * An estimator that tokenizes up to {@code maxTokenizedBytes} of prompt text (benchmarks compare bounds).
   *
   * @param preload load the BPE tables the tokenizer may use now, on the calling thread (about 46 MB of heap
   *     for both); without it they load on first use
   */
  public TokenEstimator(TokenEstimationConfig config, int maxTokenizedBytes, boolean preload) {
    if (maxTokenizedBytes <= 0) {
      throw new IllegalArgumentException("maxTokenizedBytes: " + maxTokenizedBytes + " (expected: > 0)");
    }
    this.config = config;
    this.maxTokenizedBytes = maxTokenizedBytes;
    if (preload) {
      preload(config);
    }
  }

  private static void preload(TokenEstimationConfig config) {
    switch (config.tokenizer()) {
      case AUTO -> {
        BpeEncoding.O200K_BASE.preload();
        BpeEncoding.CL100K_BASE.preload();
      }
      case O200K_BASE -> BpeEncoding.O200K_BASE.preload();
      case CL100K_BASE -> BpeEncoding.CL100K_BASE.preload();
      case CHARS -> { }
    }
  }

  /** A scanner for a request body: it keeps the prompt text when a BPE count may apply. */
  public ChatRequestScanner newScanner() {
    return new ChatRequestScanner(config.maxPrefixBytes(),
        config.tokenizer() == Tokenizer.CHARS ? null : new PromptText(maxTokenizedBytes));
  }

  /**
   * The estimate for a request whose scan ended in {@code scanner}.
   *
   * @param contentLength the body's {@code Content-Length}, or a negative value when unknown
   */
  public TokenEstimate estimate(ChatRequestScanner scanner, long contentLength, LlmApi api) {
    ChatRequestInfo info = scanner.info();
    int cpt = config.charsPerToken();
    if (info.malformed()) {
      long tokens = ChatRequestScanner.estimateTokens(info, contentLength, cpt, config.defaultMaxTokens(), api);
      return new TokenEstimate(tokens, tokens, null);
    }
    PromptText text = scanner.promptText();
    BpeEncoding encoding = text == null ? null : BpeEncoding.resolve(config.tokenizer(), info.model());
    long prompt = encoding == null ? ChatRequestScanner.promptTokens(info, contentLength, cpt)
        : bpePromptTokens(info, text, encoding, contentLength);
    long completion = !api.generates() ? 0 : info.maxTokens() >= 0 ? info.maxTokens() : config.defaultMaxTokens();
    return new TokenEstimate(Math.max(completion, prompt), prompt, encoding);
  }

  /**
   * The prompt's tokens with {@code encoding}: the kept text tokenized (each string on its own), scaled to all
   * the prompt characters seen when the text did not fit, plus token ids; each extrapolated to
   * {@code contentLength} like {@link ChatRequestScanner#promptTokens}.
   */
  static long bpePromptTokens(ChatRequestInfo info, PromptText text, BpeEncoding encoding, long contentLength) {
    long tokens = 0;
    long chars = 0;
    for (int i = 0, n = text.segmentCount(); i < n; i++) {
      String segment = text.segment(i);
      chars += segment.length();
      tokens += encoding.count(segment);
    }
    long seen = tokens;
    if (text.truncated() && chars > 0 && info.promptChars() > chars) {
      seen = (long) Math.ceil((double) tokens * info.promptChars() / chars);
    }
    long total = ChatRequestScanner.extrapolate(seen, info, contentLength)
        + ChatRequestScanner.extrapolate(info.promptTokenIds(), info, contentLength);
    return total < 0 ? Long.MAX_VALUE : total;
  }
}
