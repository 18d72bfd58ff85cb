package dev.spillway.core.llm;

import io.netty.buffer.ByteBuf;

/**
 * Whether an LLM request body asks for a streamed answer: its top-level {@code "stream": true}. Fed the body's
 * pieces as they arrive, in any split, it reads them by absolute index and never consumes, retains or
 * releases them, so the caller forwards the same buffers afterwards.
 *
 * <p>The kind is decided when the top-level object closes, not at the first {@code "stream": true}: a body
 * may name {@code stream} twice, and the last member is the one the backend's JSON parser keeps
 * ({@link StreamFlagVisitor}). Deciding early would tell a permit {@code true} for a body the backend answers
 * whole. No backend can begin answering before the body is complete anyway, so waiting for its end costs the
 * prefill gate nothing. Once decided (or the body turned out not to be a JSON object) further pieces are
 * ignored: the scan costs at most one pass over the body, and allocates nothing per piece.
 *
 * <p>Not thread-safe: one instance per request, used on its event loop.
 */
public final class StreamFlagScanner {
  /** What the body asks for. */
  public enum Kind {
    /** The top-level {@code stream} is {@code true}. */
    STREAMED,
    /**
     * A complete JSON object whose top-level {@code stream} is anything but {@code true}, or absent: OpenAI's and
     * Anthropic's APIs answer such a request whole.
     */
    WHOLE,
    /** Not known: the object is not complete yet, or the body is not JSON, malformed, or not an object. */
    UNKNOWN
  }

  private final StreamFlagVisitor visitor = new StreamFlagVisitor();
  private final JsonTokenizer tokenizer = new JsonTokenizer(visitor, StreamFlagVisitor.ROOT);
  private Kind kind = Kind.UNKNOWN;

  /**
   * Scans the readable bytes of {@code piece} without changing its indexes; returns {@code true} when this
   * piece made the kind known ({@link Kind#STREAMED} or {@link Kind#WHOLE}), which happens once at most.
   */
  public boolean feed(ByteBuf piece) {
    if (decided()) {
      return false;
    }
    tokenizer.feed(piece, piece.readerIndex(), piece.readableBytes());
    if (tokenizer.done()) {
      kind = visitor.streamed ? Kind.STREAMED : Kind.WHOLE;
      return true;
    }
    return false;
  }

  /** Whether further pieces are ignored: the kind is known, or the body is not a JSON object. */
  public boolean decided() {
    return kind != Kind.UNKNOWN || tokenizer.failed();
  }

  /** What the bytes fed so far show. */
  public Kind kind() {
    return kind;
  }
}
