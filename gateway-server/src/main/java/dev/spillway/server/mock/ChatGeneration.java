package dev.spillway.server.mock;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Generates one admitted chat completion on the connection's event loop, paced by its scheduler.
 *
 * <p>Token {@code k} of {@code n} (1-based) is due {@code latency + (k - 1) / tokensPerSecond} after the
 * start, or {@code latency * k / n} when {@code tokensPerSecond} is 0. A stream sends its headers, the role
 * chunk and token 1 when token 1 is due, then each token when due, flushed at once; the finish chunk, the
 * optional usage chunk and {@code [DONE]} follow token {@code n}. A non-streamed answer is sent whole when
 * token {@code n} is due.
 *
 * <p>Ownership: every buffer built here is written; nothing is held between ticks.
 */
final class ChatGeneration implements Runnable {
  private static final AsciiString TEXT_EVENT_STREAM = AsciiString.cached("text/event-stream");
  private static final AsciiString X_ACCEL_BUFFERING = AsciiString.cached("x-accel-buffering");
  private static final AsciiString NO = AsciiString.cached("no");

  private final ChannelHandlerContext ctx;
  private final ChatRequest request;
  private final CompletionEncoder encoder;
  private final Consumer<HttpObject> onComplete;
  private final long latencyNanos;
  private final double tokensPerSecond;
  private long startNanos;
  private int emitted;
  private ScheduledFuture<?> timer;
  private boolean cancelled;

  /** {@code onComplete} receives the last part of the response, to write and flush. */
  ChatGeneration(ChannelHandlerContext ctx, ChatRequest request, MockBackendOptions options,
                 Consumer<HttpObject> onComplete) {
    this.ctx = ctx;
    this.request = request;
    this.encoder = new CompletionEncoder(request.model(), request.includeUsage());
    this.onComplete = onComplete;
    this.latencyNanos = options.latency().toNanos();
    this.tokensPerSecond = options.tokensPerSecond();
  }

  void start() {
    startNanos = System.nanoTime();
    int first = request.stream() ? 1 : request.completionTokens();
    schedule(dueNanos(first));
  }

  /** Stops generating; nothing more is written. */
  void cancel() {
    cancelled = true;
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  @Override
  public void run() {
    timer = null;
    if (cancelled) {
      return;
    }
    if (!request.stream()) {
      onComplete.accept(completion());
      return;
    }
    ByteBufAllocator alloc = ctx.alloc();
    if (emitted == 0) {
      ctx.write(streamHeaders(), ctx.voidPromise());
      ctx.write(new DefaultHttpContent(encoder.roleChunk(alloc)), ctx.voidPromise());
    }
    int n = request.completionTokens();
    long elapsed = System.nanoTime() - startNanos;
    // Coalesce tokens that fell due together (a busy loop or a very high rate) into one flush.
    do {
      ctx.write(new DefaultHttpContent(encoder.tokenChunk(alloc, emitted)), ctx.voidPromise());
      emitted++;
    } while (emitted < n && dueNanos(emitted + 1) <= elapsed);
    if (emitted < n) {
      ctx.flush();
      schedule(dueNanos(emitted + 1) - elapsed);
      return;
    }
    ctx.write(new DefaultHttpContent(encoder.finishChunk(alloc, finishReason())), ctx.voidPromise());
    if (request.includeUsage()) {
      ctx.write(new DefaultHttpContent(encoder.usageChunk(alloc, request.promptTokens(), n)), ctx.voidPromise());
    }
    onComplete.accept(new DefaultLastHttpContent(CompletionEncoder.DONE.duplicate()));
  }

  private void schedule(long delayNanos) {
    timer = ctx.executor().schedule(this, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
  }

  private long dueNanos(int token) {
    if (tokensPerSecond > 0) {
      return latencyNanos + (long) ((token - 1) * 1e9 / tokensPerSecond);
    }
    return (long) ((double) latencyNanos * token / request.completionTokens());
  }

  private String finishReason() {
    return request.lengthLimited() ? "length" : "stop";
  }

  /** The head of a server-sent-events answer. */
  static HttpResponse streamHeaders() {
    HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, TEXT_EVENT_STREAM)
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
        .set(X_ACCEL_BUFFERING, NO);
    HttpUtil.setTransferEncodingChunked(response, true);
    return response;
  }

  private FullHttpResponse completion() {
    return MockResponses.json(HttpResponseStatus.OK, encoder.completion(ctx.alloc(), request.completionTokens(),
        finishReason(), request.promptTokens()));
  }
}
