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
 * A {@code POST /v1/chat/completions} request, plain JSON or streamed (SSE). The body is encoded once and
 * shared: each send writes a duplicate of an unreleasable buffer, so sending allocates no body copy.
 */
public final class ChatRequest {
  private final boolean stream;
  private final ByteBuf body;

  private ChatRequest(boolean stream, int maxTokens) {
    this.stream = stream;
    String json = "{\"model\":\"mock-gpt\",\"stream\":" + stream + ",\"max_tokens\":" + maxTokens
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"Say something short about load shedding.\"}]}";
    body = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(json.getBytes(StandardCharsets.UTF_8)));
  }

  /** A plain JSON request asking for {@code maxTokens} tokens. */
  public static ChatRequest json(int maxTokens) {
    return new ChatRequest(false, maxTokens);
  }

  /** A streamed request asking for {@code maxTokens} tokens. */
  public static ChatRequest stream(int maxTokens) {
    return new ChatRequest(true, maxTokens);
  }

  public boolean isStream() {
    return stream;
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
        .set(HttpHeaderNames.AUTHORIZATION, "Bearer sk-loadgen");
    return request;
  }
}
