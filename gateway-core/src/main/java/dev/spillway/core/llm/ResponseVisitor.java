package dev.spillway.core.llm;

import static dev.spillway.core.llm.JsonNames.bytes;
import static dev.spillway.core.llm.JsonNames.is;
import static dev.spillway.core.llm.JsonTokenizer.IGNORE;

/**
 * Collects what settlement needs from a response body or one streamed event, for every {@link LlmApi}:
 * <ul>
 *   <li>the {@code usage} object: top-level (chat, completions, embeddings, Responses and Anthropic bodies,
 *       Anthropic's {@code message_delta}), in {@code response} (the Responses API's
 *       {@code response.completed}) or in {@code message} (Anthropic's {@code message_start}); a {@code usage}
 *       anywhere else is never asked about. Counts are {@code prompt_tokens}/{@code completion_tokens} or
 *       {@code input_tokens}/{@code output_tokens} (plus Anthropic's {@code cache_creation_input_tokens} and
 *       {@code cache_read_input_tokens}, which are input too); embeddings report no completion, which then
 *       is {@code total - prompt}; a usage with output tokens only (a {@code message_delta}) is
 *       {@link #outputOnly};</li>
 *   <li>the shape of {@code choices}, and whether the event streams content: a non-empty
 *       {@code choices[0].delta.content}, a non-empty top-level {@code delta} string (Responses-API
 *       {@code *.delta} events), or a top-level {@code delta} object with non-empty {@code text},
 *       {@code partial_json} or {@code thinking} (Anthropic's {@code content_block_delta}).</li>
 * </ul>
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
  private static final int NESTS_USAGE = 10;
  private static final int TOP_DELTA = 11;
  private static final int CACHE_TOKENS = 12;

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
  private static final byte[] K_INPUT_TOKENS = bytes("input_tokens");
  private static final byte[] K_OUTPUT_TOKENS = bytes("output_tokens");
  private static final byte[] K_CACHE_CREATION = bytes("cache_creation_input_tokens");
  private static final byte[] K_CACHE_READ = bytes("cache_read_input_tokens");
  private static final byte[] K_RESPONSE = bytes("response");
  private static final byte[] K_MESSAGE = bytes("message");
  private static final byte[] K_TEXT = bytes("text");
  private static final byte[] K_PARTIAL_JSON = bytes("partial_json");
  private static final byte[] K_THINKING = bytes("thinking");

  int choices;
  boolean content;
  /** The last complete top-level usage object with token counts, or null. */
  Usage usage;
  /** The output tokens of the last usage object that had no input count (Anthropic's message_delta), or -1. */
  long outputOnly = -1;
  // -1 outside a usage object, so that a usage array (all that can reach endContainer besides) never counts.
  private long promptTokens = -1;
  private long completionTokens = -1;
  private long totalTokens = -1;
  private long cacheTokens;

  void reset() {
    choices = CHOICES_ABSENT;
    content = false;
    usage = null;
    outputOnly = -1;
  }

  @Override
  public int keyTag(int objectTag, byte[] key, int length) {
    return switch (objectTag) {
      case ROOT -> is(key, length, K_CHOICES) ? CHOICES : is(key, length, K_USAGE) ? USAGE
          : is(key, length, K_RESPONSE) || is(key, length, K_MESSAGE) ? NESTS_USAGE
          : is(key, length, K_DELTA) ? TOP_DELTA : IGNORE;
      case NESTS_USAGE -> is(key, length, K_USAGE) ? USAGE : IGNORE;
      case USAGE -> is(key, length, K_PROMPT_TOKENS) || is(key, length, K_INPUT_TOKENS) ? PROMPT_TOKENS
          : is(key, length, K_COMPLETION_TOKENS) || is(key, length, K_OUTPUT_TOKENS) ? COMPLETION_TOKENS
          : is(key, length, K_TOTAL_TOKENS) ? TOTAL_TOKENS
          : is(key, length, K_CACHE_CREATION) || is(key, length, K_CACHE_READ) ? CACHE_TOKENS : IGNORE;
      case FIRST_CHOICE -> is(key, length, K_DELTA) ? DELTA : IGNORE;
      case DELTA -> is(key, length, K_CONTENT) ? CONTENT : IGNORE;
      case TOP_DELTA -> is(key, length, K_TEXT) || is(key, length, K_PARTIAL_JSON) || is(key, length, K_THINKING)
          ? CONTENT : IGNORE;
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
      case USAGE -> clearCounts();
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
    if (tag != USAGE) {
      return;
    }
    if (promptTokens >= 0 && (completionTokens >= 0 || totalTokens >= 0)) {
      long prompt = promptTokens + cacheTokens;
      // Embeddings report prompt_tokens and total_tokens only: nothing was generated.
      long completion = completionTokens >= 0 ? completionTokens : Math.max(0, totalTokens - promptTokens);
      long total = totalTokens >= 0 && cacheTokens == 0 ? totalTokens : prompt + completion;
      usage = new Usage(prompt, completion, total);
    } else if (promptTokens < 0 && completionTokens >= 0) {
      outputOnly = completionTokens;
    }
    clearCounts();
  }

  private void clearCounts() {
    promptTokens = -1;
    completionTokens = -1;
    totalTokens = -1;
    cacheTokens = 0;
  }

  @Override
  public void string(int tag, long chars) {
    if (tag == CONTENT || tag == TOP_DELTA) {
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
      case CACHE_TOKENS -> cacheTokens += Math.max(0, value);
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
