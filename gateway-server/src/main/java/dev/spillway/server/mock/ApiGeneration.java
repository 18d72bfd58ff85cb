package dev.spillway.server.mock;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;
import java.util.function.Consumer;

/**
 * Generates one admitted {@link ApiRequest}, paced as {@link PacedGeneration} says: a stream's preamble and
 * closing events are the {@link ApiEncoder}'s for its API; a non-streamed answer (and every embeddings answer,
 * after {@code latency}) is sent whole.
 */
final class ApiGeneration extends PacedGeneration {
  private final ApiRequest request;
  private final ApiEncoder encoder;

  /**
   * {@code latencyNanos} is this request's latency ({@link JitteredLatency}); {@code onComplete} receives the last
   * part of the response, to write and flush.
   */
  ApiGeneration(ChannelHandlerContext ctx, ApiRequest request, long latencyNanos, double tokensPerSecond,
                Consumer<HttpObject> onComplete) {
    super(ctx, request.stream(), request.completionTokens(), latencyNanos, tokensPerSecond, onComplete);
    this.request = request;
    this.encoder = new ApiEncoder(request);
  }

  @Override
  HttpObject whole(ByteBufAllocator alloc) {
    return MockResponses.json(HttpResponseStatus.OK, encoder.body(alloc, request.completionTokens()));
  }

  @Override
  void preamble(ByteBufAllocator alloc) {
    encoder.preamble(alloc).forEach(this::write);
  }

  @Override
  ByteBuf token(ByteBufAllocator alloc, int index) {
    return encoder.tokenEvent(alloc, index);
  }

  @Override
  HttpObject closing(ByteBufAllocator alloc, int tokens) {
    List<ByteBuf> closing = encoder.closing(alloc, tokens);
    closing.subList(0, closing.size() - 1).forEach(this::write);
    return new DefaultLastHttpContent(closing.get(closing.size() - 1));
  }
}
