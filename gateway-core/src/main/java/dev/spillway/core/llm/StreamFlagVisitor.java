package dev.spillway.core.llm;

import static dev.spillway.core.llm.JsonNames.bytes;
import static dev.spillway.core.llm.JsonNames.is;
import static dev.spillway.core.llm.JsonTokenizer.IGNORE;

/**
 * Reads the value of every top-level {@code stream} member for {@link StreamFlagScanner}; a {@code stream}
 * anywhere deeper ({@code tools}, {@code metadata}, a schema) is never asked about. Each top-level
 * {@code stream} value overwrites the last one's, so the last member wins, as in the JSON parsers LLM servers
 * use (Python's {@code json}, JavaScript's {@code JSON.parse}).
 */
final class StreamFlagVisitor implements JsonVisitor {
  static final int ROOT = 1;
  private static final int STREAM = 2;

  private static final byte[] K_STREAM = bytes("stream");

  /** The last top-level {@code stream} value seen is the literal {@code true}. */
  boolean streamed;

  @Override
  public int keyTag(int objectTag, byte[] key, int length) {
    return objectTag == ROOT && is(key, length, K_STREAM) ? STREAM : IGNORE;
  }

  @Override
  public int elementTag(int arrayTag, int index) {
    return IGNORE;
  }

  // Only STREAM values reach these callbacks besides the root object itself: anything but true is "not true".

  @Override
  public void startObject(int tag) {
    if (tag == STREAM) {
      streamed = false;
    }
  }

  @Override
  public void startArray(int tag) {
    streamed = false;
  }

  @Override
  public void string(int tag, long chars) {
    streamed = false;
  }

  @Override
  public void number(int tag, long value) {
    streamed = false;
  }

  @Override
  public void literal(int tag, int literal) {
    streamed = literal == JsonTokenizer.TRUE;
  }
}
