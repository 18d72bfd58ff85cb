package dev.spillway.server.mock;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
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
 * One admitted mock generation on the connection's event loop, paced by its scheduler; subclasses say what
 * the answer looks like in their API ({@link ChatGeneration}, {@link ApiGeneration}).
 *
 * <p>Token {@code k} of {@code n} (1-based) is due {@code latency + (k - 1) / tokensPerSecond} after the
 * start, or {@code latency * k / n} when {@code tokensPerSecond} is 0 (and {@code latency} for an answer of no
 * tokens), where {@code latency} is this generation's own draw ({@link JitteredLatency}). A stream sends its
 * headers, its {@link #preamble} and token 1 when token 1 is due, then each token when due (tokens that fell due
 * together share one flush), then its {@link #closing}. A non-streamed answer is sent {@link #whole} when token
 * {@code n} is due. Time is the event loop's ticker, which {@code EmbeddedChannel.advanceTimeBy} moves in tests.
 *
 * <p>Ownership: every buffer built here is written; nothing is held between ticks.
 */
abstract class PacedGeneration implements Runnable {
  private static final AsciiString TEXT_EVENT_STREAM = AsciiString.cached("text/event-stream");
  private static final AsciiString X_ACCEL_BUFFERING = AsciiString.cached("x-accel-buffering");
  private static final AsciiString NO = AsciiString.cached("no");

  final ChannelHandlerContext ctx;
  private final Consumer<HttpObject> onComplete;
  private final boolean stream;
  private final int tokens;
  private final long latencyNanos;
  private final double tokensPerSecond;
  private long startNanos;
  private int emitted;
  private ScheduledFuture<?> timer;
  private boolean cancelled;

  /** {@code onComplete} receives the last part of the response, to write and flush. */
  PacedGeneration(ChannelHandlerContext ctx, boolean stream, int tokens, long latencyNanos, double tokensPerSecond,
      Consumer<HttpObject> onComplete) {
    this.ctx = ctx;
    this.stream = stream;
    this.tokens = tokens;
    this.onComplete = onComplete;
    this.latencyNanos = latencyNanos;
    this.tokensPerSecond = tokensPerSecond;
  }

  /** The whole non-streamed answer. */
  abstract HttpObject whole(ByteBufAllocator alloc);

  /** Writes (without flushing) what a stream sends before its first token. */
  abstract void preamble(ByteBufAllocator alloc);

  /** The event of token {@code index} (0-based). */
  abstract ByteBuf token(ByteBufAllocator alloc, int index);

  /** Writes what follows the last token and returns the last part of the response. */
  abstract HttpObject closing(ByteBufAllocator alloc, int tokens);

  void start() {
    startNanos = now();
    schedule(dueNanos(stream ? 1 : tokens));
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
  public final void run() {
    timer = null;
    if (cancelled) {
      return;
    }
    ByteBufAllocator alloc = ctx.alloc();
    if (!stream) {
      onComplete.accept(whole(alloc));
      return;
    }
    if (emitted == 0) {
      ctx.write(streamHeaders(), ctx.voidPromise());
      preamble(alloc);
    }
    long elapsed = now() - startNanos;
    do {
      write(token(alloc, emitted));
      emitted++;
    } while (emitted < tokens && dueNanos(emitted + 1) <= elapsed);
    if (emitted < tokens) {
      ctx.flush();
      schedule(dueNanos(emitted + 1) - elapsed);
      return;
    }
    onComplete.accept(closing(alloc, tokens));
  }

  /** Writes one event (without flushing). */
  final void write(ByteBuf event) {
    ctx.write(new DefaultHttpContent(event), ctx.voidPromise());
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

  private long now() {
    return ctx.executor().ticker().nanoTime();
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
    return (long) ((double) latencyNanos * token / tokens);
  }
}
