package dev.spillway.core.llm;

import static dev.spillway.core.llm.JsonNames.bytes;
import static dev.spillway.core.llm.JsonNames.is;
import static dev.spillway.core.llm.JsonTokenizer.IGNORE;

/**
 * Collects the fields of an LLM request for {@link ChatRequestScanner}: Chat Completions ({@code messages}),
 * Completions ({@code prompt}), the Responses API ({@code input}, {@code instructions},
 * {@code max_output_tokens}), Embeddings ({@code input}) and Anthropic Messages ({@code system},
 * {@code messages} with block content). Only top-level members count: a {@code max_tokens} or {@code stream}
 * inside {@code tools} or {@code response_format} is never asked about, because the paths below are the only
 * ones that get tags. The APIs' names do not clash, so one visitor serves them all.
 */
final class ChatRequestVisitor implements JsonVisitor {
  static final int ROOT = 1;
  private static final int MODEL = 2;
  private static final int MAX_TOKENS = 3;
  private static final int MAX_COMPLETION_TOKENS = 4;
  private static final int STREAM = 5;
  private static final int STREAM_OPTIONS = 6;
  private static final int INCLUDE_USAGE = 7;
  private static final int MESSAGES = 8;
  private static final int MESSAGE = 9;
  private static final int CONTENT = 10;
  private static final int CONTENT_PART = 11;
  private static final int TEXT = 12;
  private static final int TOOL_CALLS = 13;
  private static final int TOOL_CALL = 14;
  private static final int FUNCTION = 15;
  private static final int ARGUMENTS = 16;
  private static final int PROMPT = 17;
  private static final int PROMPT_ELEMENT = 18;
  private static final int INPUT = 19;
  private static final int INPUT_ITEM = 20;
  private static final int TOKEN_ID = 21;
  private static final int INSTRUCTIONS = 22;

  private static final byte[] K_MODEL = bytes("model");
  private static final byte[] K_MAX_TOKENS = bytes("max_tokens");
  private static final byte[] K_MAX_COMPLETION_TOKENS = bytes("max_completion_tokens");
  private static final byte[] K_STREAM = bytes("stream");
  private static final byte[] K_STREAM_OPTIONS = bytes("stream_options");
  private static final byte[] K_INCLUDE_USAGE = bytes("include_usage");
  private static final byte[] K_MESSAGES = bytes("messages");
  private static final byte[] K_PROMPT = bytes("prompt");
  private static final byte[] K_CONTENT = bytes("content");
  private static final byte[] K_TEXT = bytes("text");
  private static final byte[] K_TOOL_CALLS = bytes("tool_calls");
  private static final byte[] K_FUNCTION = bytes("function");
  private static final byte[] K_ARGUMENTS = bytes("arguments");
  private static final byte[] K_INPUT = bytes("input");
  private static final byte[] K_INSTRUCTIONS = bytes("instructions");
  private static final byte[] K_SYSTEM = bytes("system");
  private static final byte[] K_MAX_OUTPUT_TOKENS = bytes("max_output_tokens");
  private static final byte[] K_OUTPUT = bytes("output");

  JsonTokenizer tokenizer;
  /** Receives the prompt strings' text when a BPE count may be made, else null. */
  PromptText text;
  String model;
  long maxTokens = -1;
  long maxCompletionTokens = -1;
  boolean stream;
  boolean includeUsage;
  long promptChars;
  /** Pre-tokenized prompt elements: integers in {@code prompt} or {@code input} arrays. */
  long tokenIds;

  @Override
  public int keyTag(int objectTag, byte[] key, int length) {
    return switch (objectTag) {
      case ROOT -> rootKey(key, length);
      case STREAM_OPTIONS -> is(key, length, K_INCLUDE_USAGE) ? INCLUDE_USAGE : IGNORE;
      case MESSAGE -> is(key, length, K_CONTENT) ? CONTENT : is(key, length, K_TOOL_CALLS) ? TOOL_CALLS : IGNORE;
      // A content part's text; an Anthropic tool_result block nests its own content.
      case CONTENT_PART -> is(key, length, K_TEXT) ? TEXT : is(key, length, K_CONTENT) ? CONTENT : IGNORE;
      // A Responses-API input item: a message (content), or a function call / its output.
      case INPUT_ITEM -> is(key, length, K_CONTENT) ? CONTENT : is(key, length, K_TEXT) ? TEXT
          : is(key, length, K_ARGUMENTS) || is(key, length, K_OUTPUT) ? ARGUMENTS : IGNORE;
      case TOOL_CALL -> is(key, length, K_FUNCTION) ? FUNCTION : IGNORE;
      case FUNCTION -> is(key, length, K_ARGUMENTS) ? ARGUMENTS : IGNORE;
      default -> IGNORE;
    };
  }

  private static int rootKey(byte[] key, int length) {
    if (is(key, length, K_MESSAGES)) {
      return MESSAGES;
    } else if (is(key, length, K_MODEL)) {
      return MODEL;
    } else if (is(key, length, K_MAX_TOKENS)) {
      return MAX_TOKENS;
    } else if (is(key, length, K_MAX_COMPLETION_TOKENS)) {
      return MAX_COMPLETION_TOKENS;
    } else if (is(key, length, K_STREAM)) {
      return STREAM;
    } else if (is(key, length, K_STREAM_OPTIONS)) {
      return STREAM_OPTIONS;
    } else if (is(key, length, K_PROMPT)) {
      return PROMPT;
    } else if (is(key, length, K_INPUT)) {
      return INPUT;
    } else if (is(key, length, K_INSTRUCTIONS)) {
      return INSTRUCTIONS;
    } else if (is(key, length, K_SYSTEM)) {
      // Anthropic's system prompt: a string, or text blocks like a message's content.
      return CONTENT;
    } else if (is(key, length, K_MAX_OUTPUT_TOKENS)) {
      // The Responses API's output budget: the same role as max_completion_tokens.
      return MAX_COMPLETION_TOKENS;
    }
    return IGNORE;
  }

  @Override
  public int elementTag(int arrayTag, int index) {
    return switch (arrayTag) {
      case MESSAGES -> MESSAGE;
      case CONTENT -> CONTENT_PART;
      case TOOL_CALLS -> TOOL_CALL;
      case PROMPT -> PROMPT_ELEMENT;
      case INPUT -> INPUT_ITEM;
      // Arrays of token ids: prompt [[1,2],[3]] and embeddings input [[1,2],[3]].
      case PROMPT_ELEMENT, INPUT_ITEM -> TOKEN_ID;
      default -> IGNORE;
    };
  }

  @Override
  public boolean capture(int tag) {
    return tag == MODEL;
  }

  @Override
  public PromptText text(int tag) {
    return text != null && isPromptText(tag) ? text : null;
  }

  @Override
  public void string(int tag, long chars) {
    if (isPromptText(tag)) {
      promptChars += chars;
    } else if (tag == MODEL) {
      model = tokenizer.captured();
    }
  }

  @Override
  public void number(int tag, long value) {
    if (tag == MAX_TOKENS) {
      maxTokens = value;
    } else if (tag == MAX_COMPLETION_TOKENS) {
      maxCompletionTokens = value;
    } else if (tag == PROMPT_ELEMENT || tag == INPUT_ITEM || tag == TOKEN_ID) {
      tokenIds++;
    }
  }

  @Override
  public void literal(int tag, int literal) {
    switch (tag) {
      case STREAM -> stream = literal == JsonTokenizer.TRUE;
      case INCLUDE_USAGE -> includeUsage = literal == JsonTokenizer.TRUE;
      case MAX_TOKENS -> maxTokens = -1;
      case MAX_COMPLETION_TOKENS -> maxCompletionTokens = -1;
      default -> { }
    }
  }

  /** Chars of the prompt seen so far, including those of a prompt string the scan is inside of. */
  long promptCharsSoFar() {
    return promptChars + (isPromptText(tokenizer.openStringTag()) ? tokenizer.openStringChars() : 0);
  }

  private static boolean isPromptText(int tag) {
    return tag == CONTENT || tag == TEXT || tag == ARGUMENTS || tag == PROMPT || tag == PROMPT_ELEMENT
        || tag == INPUT || tag == INPUT_ITEM || tag == INSTRUCTIONS;
  }
}
