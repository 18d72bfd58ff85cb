package dev.spillway.core.llm;

import io.netty.buffer.ByteBuf;

/**
 * Scans the first {@code maxBytes} of an LLM request body ({@link LlmApi}: chat, completions, Responses,
 * embeddings, Anthropic messages), as it arrives, for what token admission needs: {@code model},
 * {@code max_tokens}/{@code max_completion_tokens}/{@code max_output_tokens}, {@code stream},
 * {@code stream_options.include_usage} and the length of the prompt text. Only top-level
 * members count, whatever nested objects such as {@code tools} or {@code response_format} contain.
 *
 * <p>Chunks are read by absolute index and never consumed or released, so the caller forwards the same
 * buffers afterwards. The scan keeps a bounded state (a 64-level stack; deeper nesting is malformed) and
 * allocates nothing per byte. Malformed input is reported, never thrown.
 *
 * <p>Not thread-safe: one instance per request, used on its event loop.
 */
public final class ChatRequestScanner {
  private final long maxBytes;
  private final ChatRequestVisitor visitor = new ChatRequestVisitor();
  private final JsonTokenizer tokenizer = new JsonTokenizer(visitor, ChatRequestVisitor.ROOT);
  private long scanned;

  /** Scans at most {@code maxBytes} ({@code TokenEstimationConfig.maxPrefixBytes}), counting characters only. */
  public ChatRequestScanner(long maxBytes) {
    this(maxBytes, null);
  }

  /**
   * Scans at most {@code maxBytes} and, if {@code promptText} is not null, decodes the prompt strings into
   * it for a BPE count ({@link TokenEstimator}).
   */
  public ChatRequestScanner(long maxBytes, PromptText promptText) {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: > 0)");
    }
    this.maxBytes = maxBytes;
    visitor.tokenizer = tokenizer;
    visitor.text = promptText;
  }

  /** The prompt text kept for a BPE count, or null when the scan counts characters only. */
  public PromptText promptText() {
    return visitor.text;
  }

  /** Scans the readable bytes of {@code chunk} (up to the cap) without changing its indexes. */
  public void feed(ByteBuf chunk) {
    if (done()) {
      return;
    }
    int length = (int) Math.min(chunk.readableBytes(), maxBytes - scanned);
    scanned += tokenizer.feed(chunk, chunk.readerIndex(), length);
  }

  /** True once the top-level object closed, the cap was reached, or the body turned out malformed. */
  public boolean done() {
    return tokenizer.done() || tokenizer.failed() || scanned >= maxBytes;
  }

  /** What the bytes scanned so far show. */
  public ChatRequestInfo info() {
    long maxTokens = visitor.maxCompletionTokens >= 0 ? visitor.maxCompletionTokens : visitor.maxTokens;
    return new ChatRequestInfo(visitor.model, maxTokens, visitor.stream, visitor.includeUsage,
        visitor.promptCharsSoFar(), visitor.tokenIds, scanned, tokenizer.done(), tokenizer.failed());
  }

  /** {@link #estimateTokens(ChatRequestInfo, long, int, long, LlmApi)} for a request that generates text. */
  public static long estimateTokens(ChatRequestInfo info, long contentLength, int charsPerToken,
      long defaultMaxTokens) {
    return estimateTokens(info, contentLength, charsPerToken, defaultMaxTokens, LlmApi.CHAT);
  }

  /**
   * The tokens to reserve for a request, by OpenAI's admission rule: the larger of its completion budget and
   * its estimated prompt tokens; for {@link LlmApi#EMBEDDINGS}, which generate nothing, the prompt alone.
   *
   * <pre>
   *   completion = 0                                                    for embeddings
   *              = info.maxTokens >= 0 ? info.maxTokens : defaultMaxTokens
   *   x'         = ceil(x * contentLength / scanned)    if the cap cut the body and contentLength > scanned
   *              = x                                    otherwise (complete, or the length is unknown)
   *   prompt     = ceil(promptChars' / charsPerToken) + promptTokenIds'
   *   estimate   = max(completion, prompt)
   *   malformed  : ceil(contentLength / charsPerToken), or defaultMaxTokens when contentLength is unknown
   * </pre>
   *
   * Extrapolating assumes the unscanned rest of the body holds prompt text in the same proportion as the
   * scanned prefix; with an unknown length (chunked) only what was seen counts.
   *
   * @param contentLength the body's {@code Content-Length}, or a negative value when unknown
   */
  public static long estimateTokens(ChatRequestInfo info, long contentLength, int charsPerToken,
      long defaultMaxTokens, LlmApi api) {
    if (charsPerToken <= 0) {
      throw new IllegalArgumentException("charsPerToken: " + charsPerToken + " (expected: > 0)");
    }
    if (info.malformed()) {
      return contentLength >= 0 ? ceilDiv(contentLength, charsPerToken) : defaultMaxTokens;
    }
    long completion = !api.generates() ? 0 : info.maxTokens() >= 0 ? info.maxTokens() : defaultMaxTokens;
    return Math.max(completion, promptTokens(info, contentLength, charsPerToken));
  }

  /** The prompt part of {@link #estimateTokens}: chars / charsPerToken plus token ids, each extrapolated. */
  public static long promptTokens(ChatRequestInfo info, long contentLength, int charsPerToken) {
    long chars = extrapolate(info.promptChars(), info, contentLength);
    long ids = extrapolate(info.promptTokenIds(), info, contentLength);
    long tokens = ceilDiv(chars, charsPerToken) + ids;
    return tokens < 0 ? Long.MAX_VALUE : tokens;
  }

  static long extrapolate(long seen, ChatRequestInfo info, long contentLength) {
    if (!info.complete() && contentLength > info.scannedBytes() && info.scannedBytes() > 0) {
      // A double keeps seen * contentLength from overflowing; the cast saturates at Long.MAX_VALUE.
      return (long) Math.ceil((double) seen * contentLength / info.scannedBytes());
    }
    return seen;
  }

  private static long ceilDiv(long a, long b) {
    return a / b + (a % b == 0 ? 0 : 1);
  }
}
