package dev.spillway.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * A {@code POST /v1/chat/completions} request, plain JSON or streamed (SSE), with a prompt of a given length
 * (four characters per token, as the mock backend counts them), a {@code max_tokens} and an API key. The body
 * is encoded once: each send writes a duplicate of an unreleasable buffer, so sending allocates no body copy.
 * Streams ask for {@code stream_options.include_usage}, so every answer ends with its token count.
 */
public final class ChatRequest {
  /** The key of requests that do not name a tenant. */
  public static final String DEFAULT_KEY = "sk-loadgen";
  private static final String FILLER = "load shedding keeps the queue short and the answers fast. ".repeat(600);

  private final boolean stream;
  private final int promptTokens;
  private final int maxTokens;
  private final String apiKey;
  private final int kind;
  private final ByteBuf body;

  private ChatRequest(boolean stream, int promptTokens, int maxTokens, String apiKey, int kind, String content) {
    if (maxTokens < 1) {
      throw new IllegalArgumentException("maxTokens: " + maxTokens + " (expected: >= 1)");
    }
    this.stream = stream;
    this.promptTokens = promptTokens;
    this.maxTokens = maxTokens;
    this.apiKey = apiKey;
    this.kind = kind;
    String json = "{\"model\":\"mock-gpt\",\"stream\":" + stream
        + (stream ? ",\"stream_options\":{\"include_usage\":true}" : "") + ",\"max_tokens\":" + maxTokens
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}";
    body = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(json.getBytes(StandardCharsets.UTF_8)));
  }

  /** A plain JSON request asking for {@code maxTokens} tokens. */
  public static ChatRequest json(int maxTokens) {
    return new ChatRequest(false, 10, maxTokens, DEFAULT_KEY, 0, "Say something short about load shedding.");
  }

  /** A streamed request asking for {@code maxTokens} tokens. */
  public static ChatRequest stream(int maxTokens) {
    return new ChatRequest(true, 10, maxTokens, DEFAULT_KEY, 0, "Say something short about load shedding.");
  }

  /**
   * A request with a prompt of about {@code promptTokens} tokens asking for {@code maxTokens}, sent with
   * {@code apiKey}; {@code kind} is the caller's label for it (a {@link RequestMix} kind), kept in records.
   */
  public static ChatRequest of(boolean stream, int promptTokens, int maxTokens, String apiKey, int kind) {
    if (promptTokens < 1) {
      throw new IllegalArgumentException("promptTokens: " + promptTokens + " (expected: >= 1)");
    }
    int chars = promptTokens * 4;
    StringBuilder content = new StringBuilder(chars);
    while (content.length() < chars) {
      content.append(FILLER, 0, Math.min(FILLER.length(), chars - content.length()));
    }
    return new ChatRequest(stream, promptTokens, maxTokens, apiKey, kind, content.toString());
  }

  public boolean isStream() {
    return stream;
  }

  public int promptTokens() {
    return promptTokens;
  }

  public int maxTokens() {
    return maxTokens;
  }

  public String apiKey() {
    return apiKey;
  }

  public int kind() {
    return kind;
  }

  /** A new request for {@code target}, ready to write. */
  FullHttpRequest newRequest(Target target) {
    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
        "/v1/chat/completions", body.duplicate());
    request.headers()
        .set(HttpHeaderNames.HOST, target.host() + ":" + target.port())
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
        .set(HttpHeaderNames.ACCEPT, stream ? "text/event-stream" : "application/json")
        .set(HttpHeaderNames.AUTHORIZATION, "Bearer " + apiKey);
    return request;
  }
}
