package dev.spillway.server.mock;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Generates one admitted {@link ApiRequest} on the connection's event loop, paced like {@link ChatGeneration}:
 * token {@code k} of {@code n} is due {@code latency + (k - 1) / tokensPerSecond} after the start, or
 * {@code latency * k / n} when {@code tokensPerSecond} is 0. A stream sends its headers, the
 * {@link ApiEncoder#preamble} and token 1 when token 1 is due, each later token when due, and the closing
 * events after token {@code n}. A non-streamed answer (and every embeddings answer, after {@code latency}) is
 * sent whole when its last token is due.
 *
 * <p>Ownership: every buffer built here is written; nothing is held between ticks.
 */
final class ApiGeneration implements Runnable {
  private static final AsciiString TEXT_EVENT_STREAM = AsciiString.cached("text/event-stream");

  private final ChannelHandlerContext ctx;
  private final ApiRequest request;
  private final ApiEncoder encoder;
  private final Consumer<HttpObject> onComplete;
  private final long latencyNanos;
  private final double tokensPerSecond;
  private long startNanos;
  private int emitted;
  private ScheduledFuture<?> timer;
  private boolean cancelled;

  /** {@code onComplete} receives the last part of the response, to write and flush. */
  ApiGeneration(ChannelHandlerContext ctx, ApiRequest request, MockBackendOptions options,
                Consumer<HttpObject> onComplete) {
    this.ctx = ctx;
    this.request = request;
    this.encoder = new ApiEncoder(request);
    this.onComplete = onComplete;
    this.latencyNanos = options.latency().toNanos();
    this.tokensPerSecond = options.tokensPerSecond();
  }

  void start() {
    startNanos = System.nanoTime();
    schedule(dueNanos(request.stream() ? 1 : request.completionTokens()));
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
    ByteBufAllocator alloc = ctx.alloc();
    if (!request.stream()) {
      onComplete.accept(MockResponses.json(HttpResponseStatus.OK, encoder.body(alloc, request.completionTokens())));
      return;
    }
    if (emitted == 0) {
      ctx.write(streamHeaders(), ctx.voidPromise());
      writeAll(encoder.preamble(alloc));
    }
    int n = request.completionTokens();
    long elapsed = System.nanoTime() - startNanos;
    // Coalesce tokens that fell due together into one flush.
    do {
      ctx.write(new DefaultHttpContent(encoder.tokenEvent(alloc, emitted)), ctx.voidPromise());
      emitted++;
    } while (emitted < n && dueNanos(emitted + 1) <= elapsed);
    if (emitted < n) {
      ctx.flush();
      schedule(dueNanos(emitted + 1) - elapsed);
      return;
    }
    List<ByteBuf> closing = encoder.closing(alloc, n);
    writeAll(closing.subList(0, closing.size() - 1));
    onComplete.accept(new DefaultLastHttpContent(closing.get(closing.size() - 1)));
  }

  private void writeAll(List<ByteBuf> events) {
    for (ByteBuf event : events) {
      ctx.write(new DefaultHttpContent(event), ctx.voidPromise());
    }
  }

  private void schedule(long delayNanos) {
    timer = ctx.executor().schedule(this, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
  }

  private long dueNanos(int token) {
    if (token <= 0) {
      return latencyNanos;
    }
    if (tokensPerSecond > 0) {
      return latencyNanos + (long) ((token - 1) * 1e9 / tokensPerSecond);
    }
    return (long) ((double) latencyNanos * token / request.completionTokens());
  }

  private static HttpResponse streamHeaders() {
    HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, TEXT_EVENT_STREAM)
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
    HttpUtil.setTransferEncodingChunked(response, true);
    return response;
  }
}
