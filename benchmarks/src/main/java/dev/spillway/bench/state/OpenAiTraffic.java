package dev.spillway.bench.state;

import java.util.ArrayList;
import java.util.List;

/**
 * Raw HTTP/1.1 traffic as an OpenAI-compatible client and backend exchange it: the request head the
 * openai-python SDK sends, a chat-completions body, and a JSON or Server-Sent-Events response. Everything is
 * plain text so a benchmark can turn it into buffers once, in {@code @Setup}.
 */
public final class OpenAiTraffic {
  /** The {@code Host} the client talks to (the gateway). */
  public static final String GATEWAY_HOST = "llm.spillway.test";
  public static final String PATH = "/v1/chat/completions";
  /** Size of the JSON request body; a short chat with a system prompt. */
  public static final int REQUEST_BODY_SIZE = 1024;
  /** Size of the non-streaming JSON response body. */
  public static final int RESPONSE_BODY_SIZE = 512;
  /** The final SSE event of an OpenAI stream. */
  public static final String SSE_DONE = "data: [DONE]\n\n";

  private static final String CRLF = "\r\n";

  private OpenAiTraffic() {}

  /**
   * The header block of a {@code POST /v1/chat/completions} from openai-python 1.x, in the SDK's order.
   *
   * @param set whether to add a second {@code Connection} field naming an extra hop-by-hop header
   */
  public static List<String[]> requestHeaders(HeaderSet set, int contentLength) {
    List<String[]> h = new ArrayList<>();
    h.add(new String[] {"Host", GATEWAY_HOST});
    h.add(new String[] {"Accept-Encoding", "gzip, deflate"});
    h.add(new String[] {"Connection", "keep-alive"});
    h.add(new String[] {"Accept", "application/json"});
    h.add(new String[] {"Content-Type", "application/json"});
    h.add(new String[] {"User-Agent", "OpenAI/Python 1.54.4"});
    h.add(new String[] {"X-Stainless-Lang", "python"});
    h.add(new String[] {"X-Stainless-Package-Version", "1.54.4"});
    h.add(new String[] {"X-Stainless-OS", "Linux"});
    h.add(new String[] {"X-Stainless-Arch", "x64"});
    h.add(new String[] {"X-Stainless-Runtime", "CPython"});
    h.add(new String[] {"X-Stainless-Runtime-Version", "3.12.7"});
    h.add(new String[] {"Authorization", "Bearer sk-proj-4fQ9xTz2LmN8vR1kW7yB3cD6eH0jA5sU9pG2iK4oV8tX1qZ3"});
    h.add(new String[] {"X-Stainless-Async", "false"});
    h.add(new String[] {"x-stainless-retry-count", "0"});
    h.add(new String[] {"x-stainless-read-timeout", "600"});
    if (set == HeaderSet.CONNECTION_LISTED) {
      // A client (or an intermediary) declaring its own hop-by-hop header, which the proxy must drop too.
      h.add(new String[] {"Connection", "foo"});
      h.add(new String[] {"Foo", "bar"});
    }
    h.add(new String[] {"Content-Length", Integer.toString(contentLength)});
    return h;
  }

  /** The request line and headers, ending with the blank line. */
  public static String requestHead(HeaderSet set, int contentLength) {
    StringBuilder sb = new StringBuilder(1024).append("POST ").append(PATH).append(" HTTP/1.1").append(CRLF);
    for (String[] field : requestHeaders(set, contentLength)) {
      sb.append(field[0]).append(": ").append(field[1]).append(CRLF);
    }
    return sb.append(CRLF).toString();
  }

  /** A whole Content-Length framed chat-completions request of {@link #REQUEST_BODY_SIZE} body bytes. */
  public static String request(HeaderSet set, boolean stream) {
    String body = chatBody(stream);
    return requestHead(set, body.length()) + body;
  }

  /** A chat-completions body padded to exactly {@link #REQUEST_BODY_SIZE} bytes (ASCII). */
  public static String chatBody(boolean stream) {
    String start = "{\"model\":\"llama-3.1-8b-instruct\",\"stream\":" + stream + ",\"temperature\":0.2,"
        + "\"max_tokens\":256,\"messages\":[{\"role\":\"system\",\"content\":\"You are a terse assistant that "
        + "answers questions about HTTP proxies.\"},{\"role\":\"user\",\"content\":\"";
    String end = "\"}]}";
    return start + pad("Explain why a reverse proxy strips hop-by-hop headers. ",
        REQUEST_BODY_SIZE - start.length() - end.length()) + end;
  }

  /** A complete non-streaming 200 response with a {@link #RESPONSE_BODY_SIZE}-byte JSON body. */
  public static String jsonResponse() {
    String start = "{\"id\":\"chatcmpl-9xQ2mZ7kLpR4tV8wB1nC3dF6\",\"object\":\"chat.completion\","
        + "\"created\":1735689600,\"model\":\"llama-3.1-8b-instruct\",\"choices\":[{\"index\":0,"
        + "\"message\":{\"role\":\"assistant\",\"content\":\"";
    String end = "\"},\"finish_reason\":\"stop\"}],"
        + "\"usage\":{\"prompt_tokens\":212,\"completion_tokens\":48,\"total_tokens\":260}}";
    String body = start + pad("They describe one connection only. ",
        RESPONSE_BODY_SIZE - start.length() - end.length()) + end;
    return responseHead("application/json", "Content-Length: " + body.length()) + body;
  }

  /**
   * A streaming 200 response cut the way a backend writes it: the head, then one chunk per token event, then
   * {@code [DONE]} with the terminating chunk. Each element is meant to arrive as one read.
   */
  public static List<String> sseResponse(int events) {
    List<String> parts = new ArrayList<>(events + 2);
    parts.add(responseHead("text/event-stream", "Transfer-Encoding: chunked"));
    for (int i = 0; i < events; i++) {
      String event = "data: {\"id\":\"chatcmpl-9xQ2mZ7kLpR4tV8wB1nC3dF6\",\"object\":\"chat.completion.chunk\","
          + "\"created\":1735689600,\"model\":\"llama-3.1-8b-instruct\",\"choices\":[{\"index\":0,"
          + "\"delta\":{\"content\":\" token" + i + "\"},\"finish_reason\":null}]}\n\n";
      parts.add(chunk(event));
    }
    parts.add(chunk(SSE_DONE) + "0" + CRLF + CRLF);
    return parts;
  }

  private static String responseHead(String contentType, String framing) {
    return "HTTP/1.1 200 OK" + CRLF
        + "Date: Wed, 01 Jan 2025 00:00:00 GMT" + CRLF
        + "Content-Type: " + contentType + CRLF
        + framing + CRLF
        + "Connection: keep-alive" + CRLF
        + "openai-processing-ms: 412" + CRLF
        + "openai-version: 2020-10-01" + CRLF
        + "x-request-id: req_7f3c1a9e2b4d6f8a0c1e3b5d7f9a2c4e" + CRLF
        + CRLF;
  }

  private static String chunk(String data) {
    return Integer.toHexString(data.length()) + CRLF + data + CRLF;
  }

  private static String pad(String phrase, int length) {
    if (length < 0) {
      throw new IllegalArgumentException("length: " + length + " (expected: >= 0)");
    }
    StringBuilder sb = new StringBuilder(length);
    while (sb.length() < length) {
      sb.append(phrase, 0, Math.min(phrase.length(), length - sb.length()));
    }
    return sb.toString();
  }
}
