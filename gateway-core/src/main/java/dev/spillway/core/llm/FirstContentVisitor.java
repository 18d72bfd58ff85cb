package dev.spillway.core.llm;

import static dev.spillway.core.llm.JsonNames.bytes;
import static dev.spillway.core.llm.JsonNames.is;
import static dev.spillway.core.llm.JsonTokenizer.IGNORE;

import java.util.Set;

/**
 * Looks at one streamed chunk for {@link SseFirstContentDetector}: is it an LLM answer's event at all
 * ({@link #shape}: a chat-completion / completion chunk with {@code choices}, or a Responses-API or Anthropic
 * Messages event by its {@code type}); does {@code choices[0]} carry something the client will show (a non-empty
 * {@code delta.content}, {@code delta.reasoning_content} / {@code reasoning}, {@code delta.refusal} or legacy
 * {@code text}; any {@code delta.tool_calls} element or {@code delta.function_call}; a {@code finish_reason}) or
 * is it a content-bearing typed event; and is it an error (a top-level {@code error}, or an error type)?
 */
final class FirstContentVisitor implements JsonVisitor {
  static final int ROOT = 1;
  private static final int CHOICES = 2;
  private static final int FIRST_CHOICE = 3;
  private static final int DELTA = 4;
  private static final int TEXT = 5;
  private static final int TOOL_CALLS = 6;
  private static final int FUNCTION_CALL = 7;
  private static final int FINISH_REASON = 8;
  private static final int ERROR = 9;
  private static final int TYPE = 10;

  private static final byte[] K_CHOICES = bytes("choices");
  private static final byte[] K_ERROR = bytes("error");
  private static final byte[] K_DELTA = bytes("delta");
  private static final byte[] K_TEXT = bytes("text");
  private static final byte[] K_FINISH_REASON = bytes("finish_reason");
  private static final byte[] K_CONTENT = bytes("content");
  private static final byte[] K_REASONING_CONTENT = bytes("reasoning_content");
  private static final byte[] K_REASONING = bytes("reasoning");
  private static final byte[] K_REFUSAL = bytes("refusal");
  private static final byte[] K_TOOL_CALLS = bytes("tool_calls");
  private static final byte[] K_FUNCTION_CALL = bytes("function_call");
  private static final byte[] K_TYPE = bytes("type");

  /** Typed events that open an answer without content yet: held like OpenAI's role-only first chunk. */
  private static final Set<String> PREAMBLE_TYPES = Set.of("response.created", "response.queued",
      "response.in_progress", "response.output_item.added", "response.content_part.added", "message_start",
      "content_block_start", "ping");
  /** Typed events that report a failure. */
  private static final Set<String> ERROR_TYPES = Set.of("error", "response.failed");
  /** Anthropic Messages events that carry or end content ({@code response.*} ones are recognised by prefix). */
  private static final Set<String> CONTENT_TYPES = Set.of("content_block_delta", "content_block_stop",
      "message_delta", "message_stop");

  /** Reads the captured {@code type} string; set by the detector that owns both. */
  JsonTokenizer tokenizer;
  boolean content;
  boolean error;
  /** The event has the shape of an LLM answer's event (choices, or a known type). */
  boolean shape;

  void reset() {
    content = false;
    error = false;
    shape = false;
  }

  @Override
  public boolean capture(int tag) {
    return tag == TYPE;
  }

  @Override
  public int keyTag(int objectTag, byte[] key, int length) {
    return switch (objectTag) {
      case ROOT -> is(key, length, K_CHOICES) ? CHOICES : is(key, length, K_ERROR) ? ERROR
          : is(key, length, K_TYPE) ? TYPE : IGNORE;
      case FIRST_CHOICE -> is(key, length, K_DELTA) ? DELTA : is(key, length, K_TEXT) ? TEXT
          : is(key, length, K_FINISH_REASON) ? FINISH_REASON : IGNORE;
      case DELTA -> is(key, length, K_CONTENT) || is(key, length, K_REASONING_CONTENT)
          || is(key, length, K_REASONING) || is(key, length, K_REFUSAL) ? TEXT
          : is(key, length, K_TOOL_CALLS) ? TOOL_CALLS
          : is(key, length, K_FUNCTION_CALL) ? FUNCTION_CALL : IGNORE;
      default -> IGNORE;
    };
  }

  @Override
  public int elementTag(int arrayTag, int index) {
    if (arrayTag == TOOL_CALLS) {
      content = true;
      return IGNORE;
    }
    return arrayTag == CHOICES && index == 0 ? FIRST_CHOICE : IGNORE;
  }

  @Override
  public void startObject(int tag) {
    if (tag == FUNCTION_CALL) {
      content = true;
    } else if (tag == ERROR) {
      error = true;
    }
  }

  @Override
  public void startArray(int tag) {
    if (tag == CHOICES) {
      shape = true;
    } else if (tag == ERROR) {
      error = true;
    }
  }

  @Override
  public void string(int tag, long chars) {
    switch (tag) {
      case TEXT -> content |= chars > 0;
      case FINISH_REASON -> content = true;
      case ERROR -> error = true;
      case TYPE -> type(tokenizer.captured());
      default -> { }
    }
  }

  private void type(String type) {
    if (type == null) {
      return;
    }
    if (PREAMBLE_TYPES.contains(type)) {
      shape = true;
    } else if (ERROR_TYPES.contains(type)) {
      shape = true;
      error = true;
    } else if (CONTENT_TYPES.contains(type) || type.startsWith("response.")) {
      shape = true;
      content = true;
    }
  }

  @Override
  public void number(int tag, long value) {
    if (tag == ERROR) {
      error = true;
    }
  }
}
