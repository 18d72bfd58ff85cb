package dev.spillway.core.llm;

import io.netty.buffer.ByteBuf;

/**
 * Scans the first {@code maxBytes} of an OpenAI chat (or legacy completions) request body, as it arrives,
 * for what token admission needs: {@code model}, {@code max_tokens}/{@code max_completion_tokens},
 * {@code stream}, {@code stream_options.include_usage} and the length of the prompt text. Only top-level
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

  /** Scans at most {@code maxBytes} ({@code TokenEstimationConfig.maxPrefixBytes}). */
  public ChatRequestScanner(long maxBytes) {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: > 0)");
    }
    this.maxBytes = maxBytes;
    visitor.tokenizer = tokenizer;
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
        visitor.promptCharsSoFar(), scanned, tokenizer.done(), tokenizer.failed());
  }

  /**
   * The tokens to reserve for a request, by OpenAI's admission rule: the larger of its completion budget and
   * its estimated prompt tokens.
   *
   * <pre>
   *   completion = info.maxTokens >= 0 ? info.maxTokens : defaultMaxTokens
   *   chars      = info.promptChars                                   if the whole object was scanned
   *              = ceil(info.promptChars * contentLength / scanned)   if the cap cut it and contentLength > scanned
   *              = info.promptChars                                   if the cap cut it and the length is unknown
   *   estimate   = max(completion, ceil(chars / charsPerToken))
   *   malformed  : ceil(contentLength / charsPerToken), or defaultMaxTokens when contentLength is unknown
   * </pre>
   *
   * Extrapolating assumes the unscanned rest of the body holds prompt text in the same proportion as the
   * scanned prefix; with an unknown length (chunked) only what was seen counts.
   *
   * @param contentLength the body's {@code Content-Length}, or a negative value when unknown
   */
  public static long estimateTokens(ChatRequestInfo info, long contentLength, int charsPerToken,
      long defaultMaxTokens) {
    if (charsPerToken <= 0) {
      throw new IllegalArgumentException("charsPerToken: " + charsPerToken + " (expected: > 0)");
    }
    if (info.malformed()) {
      return contentLength >= 0 ? ceilDiv(contentLength, charsPerToken) : defaultMaxTokens;
    }
    long chars = info.promptChars();
    if (!info.complete() && contentLength > info.scannedBytes() && info.scannedBytes() > 0) {
      // A double keeps chars * contentLength from overflowing; the cast saturates at Long.MAX_VALUE.
      chars = (long) Math.ceil((double) chars * contentLength / info.scannedBytes());
    }
    long completion = info.maxTokens() >= 0 ? info.maxTokens() : defaultMaxTokens;
    return Math.max(completion, ceilDiv(chars, charsPerToken));
  }

  private static long ceilDiv(long a, long b) {
    return a / b + (a % b == 0 ? 0 : 1);
  }
}
