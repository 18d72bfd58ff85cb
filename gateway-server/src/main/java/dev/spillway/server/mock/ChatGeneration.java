package dev.spillway.server.mock;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.function.Consumer;

/**
 * Generates one admitted chat completion, paced as {@link PacedGeneration} says: a stream's preamble is the
 * role chunk, and the finish chunk, the optional usage chunk and {@code [DONE]} follow the last token.
 */
final class ChatGeneration extends PacedGeneration {
  private final ChatRequest request;
  private final CompletionEncoder encoder;

  /**
   * {@code latencyNanos} is this request's latency ({@link JitteredLatency}); {@code onComplete} receives the last
   * part of the response, to write and flush.
   */
  ChatGeneration(ChannelHandlerContext ctx, ChatRequest request, long latencyNanos, double tokensPerSecond,
                 Consumer<HttpObject> onComplete) {
    super(ctx, request.stream(), request.completionTokens(), latencyNanos, tokensPerSecond, onComplete);
    this.request = request;
    this.encoder = new CompletionEncoder(request.model(), request.includeUsage());
  }

  @Override
  HttpObject whole(ByteBufAllocator alloc) {
    return MockResponses.json(HttpResponseStatus.OK, encoder.completion(alloc, request.completionTokens(),
        finishReason(), request.promptTokens()));
  }

  @Override
  void preamble(ByteBufAllocator alloc) {
    write(encoder.roleChunk(alloc));
  }

  @Override
  ByteBuf token(ByteBufAllocator alloc, int index) {
    return encoder.tokenChunk(alloc, index);
  }

  @Override
  HttpObject closing(ByteBufAllocator alloc, int tokens) {
    write(encoder.finishChunk(alloc, finishReason()));
    if (request.includeUsage()) {
      write(encoder.usageChunk(alloc, request.promptTokens(), tokens));
    }
    return new DefaultLastHttpContent(CompletionEncoder.DONE.duplicate());
  }

  private String finishReason() {
    return request.lengthLimited() ? "length" : "stop";
  }
}
