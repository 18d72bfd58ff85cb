package dev.spillway.core.llm;

import static dev.spillway.core.llm.JsonNames.bytes;
import static dev.spillway.core.llm.JsonNames.is;
import static dev.spillway.core.llm.JsonTokenizer.IGNORE;

/**
 * Finds where {@link RequestBodies#withIncludeUsage} must edit: the top-level object's opening brace, and the
 * last top-level {@code stream_options} value with the last {@code include_usage} value inside it. Offsets
 * are relative to the first byte fed.
 */
final class StreamOptionsVisitor implements JsonVisitor {
  static final int ROOT = 1;
  private static final int STREAM_OPTIONS = 2;
  private static final int INCLUDE_USAGE = 3;

  private static final byte[] K_STREAM_OPTIONS = bytes("stream_options");
  private static final byte[] K_INCLUDE_USAGE = bytes("include_usage");

  JsonTokenizer tokenizer;
  long rootStart = -1;
  int rootMembers;
  long optionsStart = -1;
  long optionsEnd;
  boolean optionsIsObject;
  int optionsMembers;
  long includeUsageStart = -1;
  long includeUsageEnd;

  @Override
  public int keyTag(int objectTag, byte[] key, int length) {
    if (objectTag == ROOT) {
      rootMembers++;
      return is(key, length, K_STREAM_OPTIONS) ? STREAM_OPTIONS : IGNORE;
    }
    if (objectTag == STREAM_OPTIONS) {
      optionsMembers++;
      return is(key, length, K_INCLUDE_USAGE) ? INCLUDE_USAGE : IGNORE;
    }
    return IGNORE;
  }

  @Override
  public int elementTag(int arrayTag, int index) {
    return IGNORE;
  }

  @Override
  public void startObject(int tag) {
    switch (tag) {
      case ROOT -> rootStart = tokenizer.valueStart();
      case STREAM_OPTIONS -> {
        valueStarts(tag);
        optionsIsObject = true;
        optionsMembers = 0;
        includeUsageStart = -1;
      }
      default -> valueStarts(tag);
    }
  }

  @Override
  public void startArray(int tag) {
    valueStarts(tag);
  }

  @Override
  public void endContainer(int tag) {
    valueEnds(tag);
  }

  @Override
  public void string(int tag, long chars) {
    scalar(tag);
  }

  @Override
  public void number(int tag, long value) {
    scalar(tag);
  }

  @Override
  public void literal(int tag, int literal) {
    scalar(tag);
  }

  private void scalar(int tag) {
    valueStarts(tag);
    valueEnds(tag);
  }

  private void valueStarts(int tag) {
    if (tag == STREAM_OPTIONS) {
      optionsStart = tokenizer.valueStart();
      optionsIsObject = false;
    } else if (tag == INCLUDE_USAGE) {
      includeUsageStart = tokenizer.valueStart();
    }
  }

  private void valueEnds(int tag) {
    if (tag == STREAM_OPTIONS) {
      optionsEnd = tokenizer.valueEnd();
    } else if (tag == INCLUDE_USAGE) {
      includeUsageEnd = tokenizer.valueEnd();
    }
  }
}
