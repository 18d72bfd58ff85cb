package dev.spillway.core.llm;

import static dev.spillway.core.llm.JsonNames.bytes;
import static dev.spillway.core.llm.JsonNames.is;
import static dev.spillway.core.llm.JsonTokenizer.IGNORE;

/**
 * Collects what settlement needs from a {@code chat.completion} body or one {@code chat.completion.chunk}:
 * the top-level {@code usage} object (a {@code usage} anywhere else is never asked about), the shape of
 * {@code choices}, and whether {@code choices[0].delta.content} is a non-empty string.
 */
final class ResponseVisitor implements JsonVisitor {
  static final int ROOT = 1;
  private static final int USAGE = 2;
  private static final int PROMPT_TOKENS = 3;
  private static final int COMPLETION_TOKENS = 4;
  private static final int TOTAL_TOKENS = 5;
  private static final int CHOICES = 6;
  private static final int FIRST_CHOICE = 7;
  private static final int DELTA = 8;
  private static final int CONTENT = 9;

  /** What {@code choices} held. */
  static final int CHOICES_ABSENT = 0;
  /** {@code []} or {@code null}: the usage-only chunk of a stream. */
  static final int CHOICES_NONE = 1;
  static final int CHOICES_SOME = 2;

  private static final byte[] K_USAGE = bytes("usage");
  private static final byte[] K_CHOICES = bytes("choices");
  private static final byte[] K_PROMPT_TOKENS = bytes("prompt_tokens");
  private static final byte[] K_COMPLETION_TOKENS = bytes("completion_tokens");
  private static final byte[] K_TOTAL_TOKENS = bytes("total_tokens");
  private static final byte[] K_DELTA = bytes("delta");
  private static final byte[] K_CONTENT = bytes("content");

  int choices;
  boolean content;
  /** The last complete top-level usage object with token counts, or null. */
  Usage usage;
  // -1 outside a usage object, so that a usage array (all that can reach endContainer besides) never counts.
  private long promptTokens = -1;
  private long completionTokens = -1;
  private long totalTokens = -1;

  void reset() {
    choices = CHOICES_ABSENT;
    content = false;
    usage = null;
  }

  @Override
  public int keyTag(int objectTag, byte[] key, int length) {
    return switch (objectTag) {
      case ROOT -> is(key, length, K_CHOICES) ? CHOICES : is(key, length, K_USAGE) ? USAGE : IGNORE;
      case USAGE -> is(key, length, K_PROMPT_TOKENS) ? PROMPT_TOKENS
          : is(key, length, K_COMPLETION_TOKENS) ? COMPLETION_TOKENS
          : is(key, length, K_TOTAL_TOKENS) ? TOTAL_TOKENS : IGNORE;
      case FIRST_CHOICE -> is(key, length, K_DELTA) ? DELTA : IGNORE;
      case DELTA -> is(key, length, K_CONTENT) ? CONTENT : IGNORE;
      default -> IGNORE;
    };
  }

  @Override
  public int elementTag(int arrayTag, int index) {
    if (arrayTag != CHOICES) {
      return IGNORE;
    }
    choices = CHOICES_SOME;
    return index == 0 ? FIRST_CHOICE : IGNORE;
  }

  @Override
  public void startObject(int tag) {
    switch (tag) {
      case USAGE -> {
        promptTokens = -1;
        completionTokens = -1;
        totalTokens = -1;
      }
      case CHOICES -> choices = CHOICES_SOME;
      default -> { }
    }
  }

  @Override
  public void startArray(int tag) {
    if (tag == CHOICES) {
      // Until an element shows up.
      choices = CHOICES_NONE;
    }
  }

  @Override
  public void endContainer(int tag) {
    if (tag == USAGE && promptTokens >= 0 && completionTokens >= 0) {
      long total = totalTokens >= 0 ? totalTokens : promptTokens + completionTokens;
      usage = new Usage(promptTokens, completionTokens, total);
    }
    if (tag == USAGE) {
      promptTokens = -1;
      completionTokens = -1;
      totalTokens = -1;
    }
  }

  @Override
  public void string(int tag, long chars) {
    if (tag == CONTENT) {
      content = chars > 0;
    } else if (tag == CHOICES) {
      choices = CHOICES_SOME;
    }
  }

  @Override
  public void number(int tag, long value) {
    switch (tag) {
      case PROMPT_TOKENS -> promptTokens = value;
      case COMPLETION_TOKENS -> completionTokens = value;
      case TOTAL_TOKENS -> totalTokens = value;
      case CHOICES -> choices = CHOICES_SOME;
      default -> { }
    }
  }

  @Override
  public void literal(int tag, int literal) {
    if (tag == CHOICES) {
      choices = literal == JsonTokenizer.NULL ? CHOICES_NONE : CHOICES_SOME;
    }
  }
}
