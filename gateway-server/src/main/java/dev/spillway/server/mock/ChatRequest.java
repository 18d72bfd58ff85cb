package dev.spillway.server.mock;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The parts of a chat completion request the mock acts on.
 *
 * @param model echoed back in the response
 * @param stream answer as server-sent events
 * @param includeUsage {@code stream_options.include_usage}: end the stream with a usage chunk
 * @param promptTokens estimated as a quarter of the characters of all message contents, at least 1
 * @param completionTokens tokens to generate
 * @param lengthLimited the request set the completion length, so it ends with {@code finish_reason: "length"}
 * @param maxTokens {@code max_completion_tokens} or {@code max_tokens} as sent (uncapped), or {@code -1}
 */
record ChatRequest(String model, boolean stream, boolean includeUsage, int promptTokens, int completionTokens,
                   boolean lengthLimited, int maxTokens) {

  /** Reads {@code body}, or explains what is wrong with it in OpenAI's words. */
  static ChatRequest parse(JsonNode body, int defaultCompletionTokens) throws InvalidRequestException {
    if (body == null || !body.isObject()) {
      throw new InvalidRequestException("Invalid type for request body: expected an object.", null);
    }
    JsonNode model = body.path("model");
    if (!model.isMissingNode() && !model.isTextual()) {
      throw new InvalidRequestException("Invalid type for 'model': expected a string.", "model");
    }
    JsonNode messages = body.path("messages");
    if (!messages.isArray()) {
      throw new InvalidRequestException(messages.isMissingNode() ? "'messages' is a required property."
          : "Invalid type for 'messages': expected an array.", "messages");
    }
    boolean stream = flag(body.path("stream"), "stream");
    boolean includeUsage = flag(body.path("stream_options").path("include_usage"), "stream_options.include_usage");
    Integer maxTokens = maxTokens(body, "max_completion_tokens");
    if (maxTokens == null) {
      maxTokens = maxTokens(body, "max_tokens");
    }
    int completionTokens = maxTokens == null ? defaultCompletionTokens
        : Math.min(maxTokens, MockBackendOptions.MAX_COMPLETION_TOKENS);
    return new ChatRequest(model.isMissingNode() ? MockResponses.MODEL_ID : model.textValue(), stream,
        stream && includeUsage, promptTokens(messages), completionTokens, maxTokens != null,
        maxTokens == null ? -1 : maxTokens);
  }

  private static boolean flag(JsonNode node, String name) throws InvalidRequestException {
    if (node.isMissingNode() || node.isNull()) {
      return false;
    }
    if (!node.isBoolean()) {
      throw new InvalidRequestException("Invalid type for '" + name + "': expected a boolean.", name);
    }
    return node.booleanValue();
  }

  private static Integer maxTokens(JsonNode body, String name) throws InvalidRequestException {
    JsonNode node = body.path(name);
    if (node.isMissingNode() || node.isNull()) {
      return null;
    }
    if (!node.canConvertToInt() || !node.isIntegralNumber() || node.intValue() < 1) {
      throw new InvalidRequestException("Invalid '" + name + "': expected an integer >= 1.", name);
    }
    return node.intValue();
  }

  private static int promptTokens(JsonNode messages) {
    long chars = 0;
    for (JsonNode message : messages) {
      JsonNode content = message.path("content");
      if (content.isTextual()) {
        chars += content.textValue().length();
      } else if (content.isArray()) {
        // Multi-part content: only text parts cost prompt tokens here.
        for (JsonNode part : content) {
          chars += part.path("text").asText("").length();
        }
      }
    }
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, chars / 4));
  }

  /** A request the mock refuses with 400, carrying OpenAI's {@code message} and {@code param}. */
  static final class InvalidRequestException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String param;

    InvalidRequestException(String message, String param) {
      // Stackless: it is a normal answer to bad input, not a bug to trace.
      super(message, null, false, false);
      this.param = param;
    }

    String param() {
      return param;
    }
  }
}
