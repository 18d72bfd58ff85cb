package dev.spillway.core.llm;

/** Request bodies and answers of the OpenAI Responses, Completions, Embeddings and Anthropic Messages APIs. */
final class ApiSamples {
  private ApiSamples() {}

  static final String INSTRUCTIONS = "Talk like a pirate.";
  static final String INPUT_TEXT = "Are semicolons optional in JavaScript?";
  static final String RESPONSES_STRING = "{\"model\":\"gpt-4.1\",\"instructions\":\"" + INSTRUCTIONS + "\","
      + "\"input\":\"" + INPUT_TEXT + "\",\"max_output_tokens\":300,\"stream\":true,"
      + "\"tools\":[{\"type\":\"function\",\"name\":\"f\",\"parameters\":{\"max_output_tokens\":9,\"input\":\"x\"}}]}";
  static final String FN_OUTPUT = "{\"temperature\":21}";
  static final String RESPONSES_ITEMS = "{\"model\":\"gpt-4.1\",\"input\":[{\"role\":\"developer\","
      + "\"content\":\"" + INSTRUCTIONS + "\"},{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\""
      + INPUT_TEXT + "\"},{\"type\":\"input_image\",\"image_url\":\"https://example.com/a.png\"}]},"
      + "{\"type\":\"function_call_output\",\"call_id\":\"c1\",\"output\":\"" + FN_OUTPUT.replace("\"", "\\\"")
      + "\"}]}";

  static final String COMPLETIONS_TOKEN_IDS = "{\"model\":\"gpt-3.5-turbo-instruct\",\"prompt\":[[1,2,3],[4,5]],"
      + "\"max_tokens\":16}";
  static final String EMBEDDINGS = "{\"model\":\"text-embedding-3-small\",\"input\":[\"The food was delicious\","
      + "\"and the waiter\"],\"encoding_format\":\"float\"}";
  static final String EMBEDDINGS_IDS = "{\"model\":\"text-embedding-3-small\",\"input\":[12,34,56,78]}";

  static final String SYSTEM = "You are a terse assistant.";
  static final String USER = "Hello, Claude";
  static final String TOOL_RESULT = "15 degrees";
  static final String ANTHROPIC = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":1024,\"system\":[{\"type\":\"text\","
      + "\"text\":\"" + SYSTEM + "\",\"cache_control\":{\"type\":\"ephemeral\"}}],\"messages\":[{\"role\":\"user\","
      + "\"content\":\"" + USER + "\"},{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"t1\","
      + "\"name\":\"weather\",\"input\":{\"city\":\"Paris\"}}]},{\"role\":\"user\",\"content\":[{\"type\":"
      + "\"tool_result\",\"tool_use_id\":\"t1\",\"content\":[{\"type\":\"text\",\"text\":\"" + TOOL_RESULT
      + "\"}]}]}],\"stream\":true}";

  /** A non-streamed Responses-API body. */
  static final String RESPONSES_BODY = "{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"completed\","
      + "\"output\":[{\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\","
      + "\"text\":\"Arr\",\"annotations\":[]}]}],\"usage\":{\"input_tokens\":36,\"input_tokens_details\":"
      + "{\"cached_tokens\":0},\"output_tokens\":87,\"output_tokens_details\":{\"reasoning_tokens\":0},"
      + "\"total_tokens\":123}}";
  static final String EMBEDDINGS_BODY = "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,"
      + "\"embedding\":[0.0023,-0.0093]}],\"model\":\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":8,"
      + "\"total_tokens\":8}}";
  static final String ANTHROPIC_BODY = "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\","
      + "\"content\":[{\"type\":\"text\",\"text\":\"Hi!\"}],\"model\":\"claude-sonnet-4-5\",\"stop_reason\":"
      + "\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":2095,\"cache_creation_input_tokens\":0,"
      + "\"cache_read_input_tokens\":0,\"output_tokens\":503}}";

  /** A streamed Responses-API answer, as OpenAI sends it (event lines, then data). */
  static final String RESPONSES_STREAM = sse("response.created", "{\"type\":\"response.created\","
      + "\"sequence_number\":0,\"response\":{\"id\":\"resp_1\",\"status\":\"in_progress\",\"usage\":null}}")
      + sse("response.in_progress", "{\"type\":\"response.in_progress\",\"sequence_number\":1,\"response\":"
      + "{\"id\":\"resp_1\",\"status\":\"in_progress\",\"usage\":null}}")
      + sse("response.output_item.added", "{\"type\":\"response.output_item.added\",\"output_index\":0,"
      + "\"item\":{\"type\":\"message\",\"content\":[]}}")
      + sse("response.content_part.added", "{\"type\":\"response.content_part.added\",\"item_id\":\"m1\","
      + "\"part\":{\"type\":\"output_text\",\"text\":\"\"}}")
      + sse("response.output_text.delta", "{\"type\":\"response.output_text.delta\",\"item_id\":\"m1\","
      + "\"output_index\":0,\"content_index\":0,\"delta\":\"Arr\"}")
      + sse("response.output_text.delta", "{\"type\":\"response.output_text.delta\",\"item_id\":\"m1\","
      + "\"output_index\":0,\"content_index\":0,\"delta\":\", matey\"}")
      + sse("response.output_text.done", "{\"type\":\"response.output_text.done\",\"text\":\"Arr, matey\"}")
      + sse("response.completed", "{\"type\":\"response.completed\",\"sequence_number\":9,\"response\":"
      + "{\"id\":\"resp_1\",\"status\":\"completed\",\"output\":[{\"type\":\"message\",\"content\":[{\"type\":"
      + "\"output_text\",\"text\":\"Arr, matey\",\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}]}],"
      + "\"usage\":{\"input_tokens\":37,\"input_tokens_details\":{\"cached_tokens\":0},\"output_tokens\":11,"
      + "\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":48}}}");

  /** A streamed Anthropic message (older API versions: message_delta carries output_tokens only). */
  static final String ANTHROPIC_STREAM = sse("message_start", "{\"type\":\"message_start\",\"message\":"
      + "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":"
      + "\"claude-sonnet-4-5\",\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":25,"
      + "\"output_tokens\":1}}}")
      + sse("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
      + "{\"type\":\"text\",\"text\":\"\"}}")
      + sse("ping", "{\"type\":\"ping\"}")
      + sse("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
      + "\"text_delta\",\"text\":\"Hello\"}}")
      + sse("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
      + "\"text_delta\",\"text\":\"!\"}}")
      + sse("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
      + sse("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
      + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":15}}")
      + sse("message_stop", "{\"type\":\"message_stop\"}");

  static String sse(String event, String json) {
    return "event: " + event + "\ndata: " + json + "\n\n";
  }
}
