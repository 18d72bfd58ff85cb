package dev.spillway.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import java.nio.charset.StandardCharsets;

/**
 * Counts the answer tokens of one response as its body streams by, without buffering it: it finds the
 * OpenAI usage field {@code "completion_tokens": N} (in a JSON answer, or in a stream's include_usage event)
 * and, for streams, counts non-empty {@code "content"} strings (tokens; a role chunk's empty content is not
 * one). Patterns are matched byte by byte, so a pattern split
 * across two chunks is still found.
 */
final class TokenCounter implements ByteProcessor {
  private static final byte[] USAGE = "\"completion_tokens\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CONTENT = "\"content\":".getBytes(StandardCharsets.US_ASCII);

  private enum State { SEARCHING, SPACES, DIGITS, DONE }

  /** Looking for {@code "content":}, then its opening quote, then a first character that is not the closing one. */
  private enum Content { SEARCHING, SPACES, OPENED }

  private State state = State.SEARCHING;
  private int usageMatched;
  private int contentMatched;
  private Content content = Content.SEARCHING;
  private int contents;
  private long usage;

  void reset() {
    state = State.SEARCHING;
    usageMatched = 0;
    contentMatched = 0;
    content = Content.SEARCHING;
    contents = 0;
    usage = 0;
  }

  void scan(ByteBuf bytes) {
    bytes.forEachByte(this);
  }

  @Override
  public boolean process(byte b) {
    content(b);
    switch (state) {
      case SEARCHING -> {
        usageMatched = b == USAGE[usageMatched] ? usageMatched + 1 : (b == USAGE[0] ? 1 : 0);
        if (usageMatched == USAGE.length) {
          state = State.SPACES;
        }
      }
      case SPACES -> {
        if (b >= '0' && b <= '9') {
          usage = b - '0';
          state = State.DIGITS;
        } else if (b != ' ') {
          // "completion_tokens": null or the like: keep looking for a later one.
          state = State.SEARCHING;
          usageMatched = 0;
        }
      }
      case DIGITS -> {
        if (b >= '0' && b <= '9' && usage < Integer.MAX_VALUE) {
          usage = usage * 10 + (b - '0');
        } else {
          state = State.DONE;
        }
      }
      case DONE -> { }
    }
    return true;
  }

  private void content(byte b) {
    switch (content) {
      case SEARCHING -> {
        contentMatched = b == CONTENT[contentMatched] ? contentMatched + 1 : (b == CONTENT[0] ? 1 : 0);
        if (contentMatched == CONTENT.length) {
          content = Content.SPACES;
          contentMatched = 0;
        }
      }
      case SPACES -> {
        if (b == '"') {
          content = Content.OPENED;
        } else if (b != ' ') {
          content = Content.SEARCHING;
        }
      }
      case OPENED -> {
        if (b != '"') {
          contents++;
        }
        content = Content.SEARCHING;
      }
    }
  }

  /** Whether a non-empty {@code "content"} string has gone by: the answer's first token. */
  boolean sawContent() {
    return contents > 0;
  }

  /** Non-empty {@code "content"} strings so far: a stream's tokens as they arrive. */
  int contents() {
    return contents;
  }

  /**
   * The answer's tokens: the usage field when the body had one; else, for a stream, its non-empty contents;
   * else 0.
   */
  int tokens(boolean stream) {
    if (state == State.DIGITS || state == State.DONE) {
      return (int) Math.min(Integer.MAX_VALUE, usage);
    }
    return stream ? contents : 0;
  }
}
