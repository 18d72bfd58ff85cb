package dev.spillway.server.mock;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spillway.core.llm.LlmApi;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Encodes one {@link ApiRequest}'s answer in its provider's shape: the whole body, or the server-sent events of
 * a stream (the events before the first token, one per token, and those after the last):
 * <ul>
 *   <li>Responses API: {@code response.created}, {@code response.in_progress},
 *       {@code response.output_item.added}, {@code response.content_part.added}; a
 *       {@code response.output_text.delta} per token; {@code response.output_text.done},
 *       {@code response.content_part.done}, {@code response.output_item.done}, and {@code response.completed}
 *       whose {@code response.usage} holds {@code input_tokens}, {@code output_tokens}, {@code total_tokens};</li>
 *   <li>Completions: a {@code text_completion} chunk per token, a finish chunk, the usage chunk when
 *       {@code stream_options.include_usage} asked for it, {@code [DONE]};</li>
 *   <li>Anthropic Messages: {@code message_start} (with the input tokens), {@code content_block_start},
 *       {@code ping}; a {@code content_block_delta} per token; {@code content_block_stop},
 *       {@code message_delta} (with the output tokens), {@code message_stop};</li>
 *   <li>Embeddings: a {@code list} of 8-dimensional embeddings with {@code prompt_tokens} and
 *       {@code total_tokens}.</li>
 * </ul>
 * Token {@code i} is word {@code i} of a fixed sentence, so the deltas concatenate to the non-streamed text.
 * Not thread-safe: one per request.
 */
final class ApiEncoder {
  private static final String[] WORDS = ("Spillway is a mock model that streams plausible tokens at a steady "
      + "pace so that gateways and clients can be tested against a backend with finite capacity").split(" ");
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final ApiRequest request;
  private final String id;
  private final long created = System.currentTimeMillis() / 1000;
  private int sequence;

  ApiEncoder(ApiRequest request) {
    this.request = request;
    String random = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
    this.id = switch (request.api()) {
      case RESPONSES -> "resp_" + random;
      case ANTHROPIC_MESSAGES -> "msg_" + random;
      default -> "cmpl-" + random;
    };
  }

  static String token(int index) {
    String word = WORDS[index % WORDS.length];
    return index == 0 ? word : " " + word;
  }

  static String text(int tokens) {
    StringBuilder sb = new StringBuilder(tokens * 8);
    for (int i = 0; i < tokens; i++) {
      sb.append(token(i));
    }
    return sb.toString();
  }

  /** The events sent with the first token, before it. */
  List<ByteBuf> preamble(ByteBufAllocator alloc) {
    return switch (request.api()) {
      case RESPONSES -> List.of(
          event(alloc, "response.created", typed("response.created").set("response", response("in_progress", 0))),
          event(alloc, "response.in_progress", typed("response.in_progress")
              .set("response", response("in_progress", 0))),
          event(alloc, "response.output_item.added", typed("response.output_item.added").put("output_index", 0)
              .set("item", message("in_progress", ""))),
          event(alloc, "response.content_part.added", itemEvent("response.content_part.added")
              .set("part", outputText(""))));
      case ANTHROPIC_MESSAGES -> List.of(
          event(alloc, "message_start", NODES.objectNode().put("type", "message_start")
              .set("message", anthropicMessage(0, null))),
          event(alloc, "content_block_start", NODES.objectNode().put("type", "content_block_start")
              .put("index", 0).set("content_block", NODES.objectNode().put("type", "text").put("text", ""))),
          event(alloc, "ping", NODES.objectNode().put("type", "ping")));
      default -> List.of();
    };
  }

  /** The event carrying token {@code index} (0-based). */
  ByteBuf tokenEvent(ByteBufAllocator alloc, int index) {
    String token = token(index);
    return switch (request.api()) {
      case RESPONSES -> event(alloc, "response.output_text.delta",
          itemEvent("response.output_text.delta").put("delta", token));
      case ANTHROPIC_MESSAGES -> event(alloc, "content_block_delta", NODES.objectNode()
          .put("type", "content_block_delta").put("index", 0)
          .set("delta", NODES.objectNode().put("type", "text_delta").put("text", token)));
      default -> data(alloc, completionChunk(token, null, false));
    };
  }

  /** The events after the last of {@code tokens} tokens, ending the stream. */
  List<ByteBuf> closing(ByteBufAllocator alloc, int tokens) {
    String text = text(tokens);
    return switch (request.api()) {
      case RESPONSES -> List.of(
          event(alloc, "response.output_text.done", itemEvent("response.output_text.done").put("text", text)),
          event(alloc, "response.content_part.done", itemEvent("response.content_part.done")
              .set("part", outputText(text))),
          event(alloc, "response.output_item.done", typed("response.output_item.done").put("output_index", 0)
              .set("item", message("completed", text))),
          event(alloc, "response.completed", typed("response.completed")
              .set("response", response("completed", tokens))));
      case ANTHROPIC_MESSAGES -> List.of(
          event(alloc, "content_block_stop", NODES.objectNode().put("type", "content_block_stop").put("index", 0)),
          event(alloc, "message_delta", NODES.objectNode().put("type", "message_delta")
              .<ObjectNode>set("delta", NODES.objectNode().put("stop_reason", stopReason()).putNull("stop_sequence"))
              .set("usage", NODES.objectNode().put("output_tokens", tokens))),
          event(alloc, "message_stop", NODES.objectNode().put("type", "message_stop")));
      default -> {
        ByteBuf finish = data(alloc, completionChunk("", finishReason(), false));
        ByteBuf done = alloc.buffer(14).writeBytes("data: [DONE]\n\n".getBytes(UTF_8));
        if (!request.includeUsage()) {
          yield List.of(finish, done);
        }
        ObjectNode usageOnly = completionChunk(null, null, true);
        usageOnly.set("usage", usage(tokens));
        yield List.of(finish, data(alloc, usageOnly), done);
      }
    };
  }

  /** The whole non-streamed answer after {@code tokens} tokens. */
  ByteBuf body(ByteBufAllocator alloc, int tokens) {
    ObjectNode body = switch (request.api()) {
      case RESPONSES -> response("completed", tokens);
      case ANTHROPIC_MESSAGES -> anthropicMessage(tokens, text(tokens));
      case EMBEDDINGS -> embeddings();
      default -> {
        ObjectNode completion = completionChunk(text(tokens), finishReason(), false);
        completion.set("usage", usage(tokens));
        yield completion;
      }
    };
    return json(alloc, body, "", "");
  }

  private ObjectNode typed(String type) {
    return NODES.objectNode().put("type", type).put("sequence_number", sequence++);
  }

  private ObjectNode itemEvent(String type) {
    return typed(type).put("item_id", itemId()).put("output_index", 0).put("content_index", 0);
  }

  private String itemId() {
    return "msg_" + id.substring(5);
  }

  private ObjectNode response(String status, int tokens) {
    ObjectNode r = NODES.objectNode().put("id", id).put("object", "response").put("created_at", created)
        .put("status", status).put("model", request.model());
    ArrayNode output = r.putArray("output");
    if (!status.equals("in_progress")) {
      output.add(message("completed", text(tokens)));
      r.put("output_text", text(tokens));
      r.putObject("usage").put("input_tokens", request.promptTokens())
          .<ObjectNode>set("input_tokens_details", NODES.objectNode().put("cached_tokens", 0))
          .put("output_tokens", tokens)
          .<ObjectNode>set("output_tokens_details", NODES.objectNode().put("reasoning_tokens", 0))
          .put("total_tokens", (long) request.promptTokens() + tokens);
    } else {
      r.putNull("usage");
    }
    return r;
  }

  private ObjectNode message(String status, String text) {
    ObjectNode item = NODES.objectNode().put("id", itemId()).put("type", "message").put("status", status)
        .put("role", "assistant");
    ArrayNode content = item.putArray("content");
    if (!text.isEmpty() || status.equals("completed")) {
      content.add(outputText(text));
    }
    return item;
  }

  private static ObjectNode outputText(String text) {
    ObjectNode part = NODES.objectNode().put("type", "output_text").put("text", text);
    part.putArray("annotations");
    return part;
  }

  private ObjectNode anthropicMessage(int tokens, String text) {
    ObjectNode m = NODES.objectNode().put("id", id).put("type", "message").put("role", "assistant")
        .put("model", request.model());
    ArrayNode content = m.putArray("content");
    if (text != null) {
      content.addObject().put("type", "text").put("text", text);
      m.put("stop_reason", stopReason());
    } else {
      m.putNull("stop_reason");
    }
    m.putNull("stop_sequence");
    // In message_start Anthropic reports the input and one output token so far.
    m.putObject("usage").put("input_tokens", request.promptTokens()).put("cache_creation_input_tokens", 0)
        .put("cache_read_input_tokens", 0).put("output_tokens", text == null ? 1 : tokens);
    return m;
  }

  /** The mock generates exactly the budget asked for, so a set limit is always reached. */
  private String stopReason() {
    return request.lengthLimited() ? "max_tokens" : "end_turn";
  }

  private String finishReason() {
    return request.lengthLimited() ? "length" : "stop";
  }

  private ObjectNode completionChunk(String text, String finishReason, boolean usageOnly) {
    ObjectNode c = NODES.objectNode().put("id", id).put("object", "text_completion").put("created", created)
        .put("model", request.model());
    ArrayNode choices = c.putArray("choices");
    if (!usageOnly) {
      ObjectNode choice = choices.addObject().put("text", text).put("index", 0);
      choice.putNull("logprobs");
      if (finishReason == null) {
        choice.putNull("finish_reason");
      } else {
        choice.put("finish_reason", finishReason);
      }
    }
    return c;
  }

  private ObjectNode usage(int tokens) {
    return NODES.objectNode().put("prompt_tokens", request.promptTokens()).put("completion_tokens", tokens)
        .put("total_tokens", (long) request.promptTokens() + tokens);
  }

  private ObjectNode embeddings() {
    ObjectNode list = NODES.objectNode().put("object", "list");
    ArrayNode data = list.putArray("data");
    for (int i = 0; i < request.inputs(); i++) {
      ArrayNode vector = data.addObject().put("object", "embedding").put("index", i).putArray("embedding");
      for (int d = 0; d < 8; d++) {
        // Deterministic, distinct per input and dimension, roughly unit length.
        vector.add(Math.sin(i * 8 + d + 1) / Math.sqrt(8));
      }
    }
    list.put("model", request.model());
    list.putObject("usage").put("prompt_tokens", request.promptTokens())
        .put("total_tokens", request.promptTokens());
    return list;
  }

  private static ByteBuf event(ByteBufAllocator alloc, String name, ObjectNode json) {
    return json(alloc, json, "event: " + name + "\ndata: ", "\n\n");
  }

  private static ByteBuf data(ByteBufAllocator alloc, ObjectNode json) {
    return json(alloc, json, "data: ", "\n\n");
  }

  private static ByteBuf json(ByteBufAllocator alloc, ObjectNode json, String prefix, String suffix) {
    byte[] bytes = MockResponses.toJson(json);
    ByteBuf buf = alloc.buffer(prefix.length() + bytes.length + suffix.length());
    buf.writeCharSequence(prefix, UTF_8);
    buf.writeBytes(bytes);
    buf.writeCharSequence(suffix, UTF_8);
    return buf;
  }
}
