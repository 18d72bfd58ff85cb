package dev.spillway.server.mock;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spillway.core.llm.LlmApi;

/**
 * The parts of a Responses-API, Completions, Embeddings or Anthropic Messages request the mock acts on.
 *
 * @param api which API the request speaks (from its path)
 * @param model echoed back in the response
 * @param stream answer as server-sent events (never for embeddings)
 * @param includeUsage Completions' {@code stream_options.include_usage}: end the stream with a usage chunk
 * @param promptTokens a quarter of the prompt's characters (at least 1), plus any token ids sent
 * @param completionTokens tokens to generate (0 for embeddings)
 * @param lengthLimited the request set the output length, so the answer reports it stopped at the limit
 * @param inputs how many embeddings to return (embeddings only)
 */
record ApiRequest(LlmApi api, String model, boolean stream, boolean includeUsage, int promptTokens,
                  int completionTokens, boolean lengthLimited, int inputs) {

  /** Reads {@code body}, or explains what is wrong with it in the API's words. */
  static ApiRequest parse(LlmApi api, JsonNode body, int defaultCompletionTokens)
      throws ChatRequest.InvalidRequestException {
    if (body == null || !body.isObject()) {
      throw new ChatRequest.InvalidRequestException("Invalid type for request body: expected an object.", null);
    }
    JsonNode model = body.path("model");
    if (!model.isMissingNode() && !model.isTextual()) {
      throw new ChatRequest.InvalidRequestException("Invalid type for 'model': expected a string.", "model");
    }
    String modelId = model.isMissingNode() ? MockResponses.MODEL_ID : model.textValue();
    boolean stream = api != LlmApi.EMBEDDINGS && flag(body.path("stream"), "stream");
    Prompt prompt = new Prompt();
    Integer max;
    int inputs = 0;
    switch (api) {
      case RESPONSES -> {
        JsonNode input = required(body, "input");
        prompt.text(body.path("instructions"));
        prompt.items(input);
        max = maxTokens(body, "max_output_tokens");
      }
      case COMPLETIONS -> {
        prompt.items(required(body, "prompt"));
        max = maxTokens(body, "max_tokens");
      }
      case EMBEDDINGS -> {
        JsonNode input = required(body, "input");
        prompt.items(input);
        inputs = input.isArray() && input.size() > 0 && !input.get(0).isNumber() ? input.size() : 1;
        max = null;
      }
      case ANTHROPIC_MESSAGES -> {
        JsonNode messages = required(body, "messages");
        if (!messages.isArray()) {
          throw new ChatRequest.InvalidRequestException("messages: Input should be a valid list", "messages");
        }
        prompt.text(body.path("system"));
        prompt.items(messages);
        max = maxTokens(body, "max_tokens");
        if (max == null) {
          throw new ChatRequest.InvalidRequestException("max_tokens: Field required", "max_tokens");
        }
      }
      default -> throw new IllegalArgumentException("not an API the mock serves here: " + api);
    }
    boolean includeUsage = api == LlmApi.COMPLETIONS && stream
        && flag(body.path("stream_options").path("include_usage"), "stream_options.include_usage");
    int completion = api == LlmApi.EMBEDDINGS ? 0
        : max == null ? defaultCompletionTokens : Math.min(max, MockBackendOptions.MAX_COMPLETION_TOKENS);
    return new ApiRequest(api, modelId, stream, includeUsage, prompt.tokens(), completion, max != null, inputs);
  }

  private static JsonNode required(JsonNode body, String name) throws ChatRequest.InvalidRequestException {
    JsonNode node = body.path(name);
    if (node.isMissingNode() || node.isNull()) {
      throw new ChatRequest.InvalidRequestException("'" + name + "' is a required property.", name);
    }
    return node;
  }

  private static boolean flag(JsonNode node, String name) throws ChatRequest.InvalidRequestException {
    if (node.isMissingNode() || node.isNull()) {
      return false;
    }
    if (!node.isBoolean()) {
      throw new ChatRequest.InvalidRequestException("Invalid type for '" + name + "': expected a boolean.", name);
    }
    return node.booleanValue();
  }

  private static Integer maxTokens(JsonNode body, String name) throws ChatRequest.InvalidRequestException {
    JsonNode node = body.path(name);
    if (node.isMissingNode() || node.isNull()) {
      return null;
    }
    if (!node.canConvertToInt() || !node.isIntegralNumber() || node.intValue() < 1) {
      throw new ChatRequest.InvalidRequestException("Invalid '" + name + "': expected an integer >= 1.", name);
    }
    return node.intValue();
  }

  /** Counts prompt characters in strings, message contents, content parts and blocks, and token ids. */
  private static final class Prompt {
    private long chars;
    private long ids;

    void text(JsonNode node) {
      if (node.isTextual()) {
        chars += node.textValue().length();
      } else if (node.isNumber()) {
        ids++;
      } else if (node.isArray()) {
        for (JsonNode part : node) {
          text(part.isObject() ? part.path("text") : part);
        }
      }
    }

    void items(JsonNode node) {
      if (!node.isArray()) {
        text(node);
        return;
      }
      for (JsonNode item : node) {
        if (item.isObject()) {
          text(item.path("content"));
          text(item.path("text"));
          text(item.path("output"));
        } else {
          text(item);
        }
      }
    }

    int tokens() {
      return (int) Math.max(1, Math.min(Integer.MAX_VALUE, chars / 4 + ids));
    }
  }
}
