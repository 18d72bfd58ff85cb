package dev.spillway.core.llm;

/** Request bodies shaped after the OpenAI API reference (chat completions and legacy completions). */
final class ChatRequests {
  static final String SYSTEM = "You are a careful assistant. Answer in JSON when asked.";
  static final String USER = "What's the weather in Paris?\nUse \"celsius\" \\ please.";
  static final String ARGUMENTS = "{\"location\":\"Paris, FR\",\"unit\":\"celsius\"}";
  static final String TOOL_RESULT = "{\"temperature\":18,\"conditions\":\"cloudy\"}";
  static final String IMAGE_TEXT = "Describe this image — briefly. 😀";

  /** Tools and a json_schema response format whose schemas hold keys named like the top-level ones. */
  static final String TOOLS_AND_FORMAT = """
      {
        "model": "gpt-4o-2024-08-06",
        "messages": [
          {"role": "system", "content": "You are a careful assistant. Answer in JSON when asked."},
          {"role": "user", "content": "What's the weather in Paris?\\nUse \\"celsius\\" \\\\ please."},
          {"role": "assistant", "content": null, "tool_calls": [
            {"id": "call_abc123", "type": "function",
             "function": {"name": "get_weather", "arguments": "{\\"location\\":\\"Paris, FR\\",\\"unit\\":\\"celsius\\"}"}}
          ]},
          {"role": "tool", "tool_call_id": "call_abc123", "content": "{\\"temperature\\":18,\\"conditions\\":\\"cloudy\\"}"}
        ],
        "tools": [
          {"type": "function", "function": {"name": "get_weather", "description": "Get the weather",
            "parameters": {"type": "object", "properties": {
              "location": {"type": "string"}, "max_tokens": {"type": "integer", "default": 99999},
              "stream": {"type": "boolean", "default": false}, "model": "nested"},
              "required": ["location"], "additionalProperties": false}, "strict": true}}
        ],
        "tool_choice": "auto",
        "response_format": {"type": "json_schema", "json_schema": {"name": "weather", "strict": true,
          "schema": {"type": "object", "properties": {"max_tokens": {"type": "number"},
            "stream_options": {"include_usage": false}, "messages": ["not", "these"]},
            "required": ["max_tokens"]}}},
        "temperature": 0.2,
        "top_p": 1e0,
        "n": 1,
        "seed": -42,
        "logit_bias": {"50256": -100},
        "user": "user-1234",
        "stream": true,
        "stream_options": {"include_usage": true},
        "max_completion_tokens": 512,
        "max_tokens": 100
      }
      """;

  /** Image content parts (the image URL is not prompt text), max_tokens before messages. */
  static final String IMAGE_PARTS = """
      {"max_tokens":300,"model":"gpt-4o-mini","messages":[{"role":"user","content":[\
      {"type":"text","text":"Describe this image \\u2014 briefly. \\ud83d\\ude00"},\
      {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJ",\
      "detail":"low"}}]}],"stream":false}""";

  /** A vLLM-style request with extra sampling parameters and no max_tokens. */
  static final String VLLM = """
      {"model":"meta-llama/Llama-3.1-8B-Instruct","messages":[{"role":"user","content":"Hi"}],\
      "temperature":0.7,"top_k":50,"repetition_penalty":1.05,"stream":true,\
      "chat_template_kwargs":{"enable_thinking":false},"guided_json":{"max_tokens":1,"stream":true}}""";

  static final String LEGACY_PROMPT = """
      {"model":"gpt-3.5-turbo-instruct","prompt":["Say this","is a test"],"max_tokens":7,"temperature":0}""";

  private ChatRequests() {}
}
