package dev.spillway.core.llm;

import io.netty.buffer.ByteBuf;

/**
 * Finds the top-level {@code usage} object of a non-streamed response (chat, completions, embeddings,
 * Responses API or Anthropic message; see {@link ResponseVisitor} for the names it reads) as the body passes
 * through, so the reservation can be settled from it. A {@code usage} member nested anywhere else does not
 * count.
 *
 * <p>Chunks are read by absolute index and never consumed or released. The state is bounded (a 64-level
 * stack); the body is never buffered. Malformed input just yields no usage. Not thread-safe.
 */
public final class JsonUsageScanner {
  private final ResponseVisitor visitor = new ResponseVisitor();
  private final JsonTokenizer tokenizer = new JsonTokenizer(visitor, ResponseVisitor.ROOT);

  /** Scans the readable bytes of {@code chunk} without changing its indexes. */
  public void feed(ByteBuf chunk) {
    tokenizer.feed(chunk, chunk.readerIndex(), chunk.readableBytes());
  }

  /**
   * The counts of the last complete top-level {@code usage} object that had an input count and an output or
   * total count as non-negative integers, or null if none was seen.
   */
  public Usage usage() {
    return visitor.usage;
  }
}
