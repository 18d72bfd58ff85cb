package dev.spillway.core.proxy;

import dev.spillway.core.admission.concurrency.LatencySample;
import dev.spillway.core.llm.Usage;
import io.netty.handler.codec.http.HttpContent;
import io.netty.util.concurrent.EventExecutor;
import java.util.function.Consumer;

/**
 * What one response tells admission: the limit's congestion signal and the tokens the request used.
 *
 * <p>The signal is an event stream's time to its first content, reported the moment it arrives (so the limit
 * hears of it long before the stream ends), or a non-streamed answer's time per completion token, never its
 * whole time (that measures the answer's length). Tokens come from the response's {@code usage}
 * ({@link ResponseUsage}), else from the content events streamed. Runs on the exchange's event loop.
 */
final class ResponseMeter {
  private final ResponseUsage usage = new ResponseUsage();
  private final EventExecutor executor;
  /** Where a stream's first-token sample goes as soon as it is taken. */
  private final Consumer<LatencySample> firstToken;
  private long sentNanos;
  /** The request body's declared size, 0 when unknown (chunked, or no body). */
  private long requestBytes;
  private boolean eventStream;
  /** When an event stream's first content arrived (executor ticker), or -1. */
  private long firstContentNanos = -1;

  ResponseMeter(EventExecutor executor, Consumer<LatencySample> firstToken) {
    this.executor = executor;
    this.firstToken = firstToken;
  }

  /**
   * The request body's size ({@code Content-Length}; negative: unknown): samples carry it, so the adaptive limit
   * can tell a long prompt's prefill from queueing.
   */
  void requestBytes(long contentLength) {
    requestBytes = Math.max(0, contentLength);
  }

  /** The request head went to the backend: the start of the latency sample. */
  void requestSent(long nowNanos) {
    sentNanos = nowNanos;
  }

  /**
   * The response head arrived.
   *
   * @param filterStream whether an event stream is filtered (the route counts tokens)
   * @param injectUsage whether Spillway asked the backend for a final usage chunk, to be removed
   */
  void start(boolean eventStream, boolean filterStream, boolean injectUsage) {
    this.eventStream = eventStream;
    usage.start(eventStream, filterStream, injectUsage);
  }

  /** Passes a response piece through usage tracking; may return a different message (owning the buffer). */
  HttpContent filter(HttpContent content) {
    if (eventStream && firstContentNanos < 0 && !usage.filtersStream() && content.content().isReadable()) {
      firstContent();
    }
    HttpContent out = usage.process(content);
    if (firstContentNanos < 0 && usage.filtersStream() && usage.contentEvents() > 0) {
      firstContent();
    }
    return out;
  }

  private void firstContent() {
    firstContentNanos = executor.ticker().nanoTime();
    firstToken.accept(LatencySample.firstToken(firstContentNanos - sentNanos).withRequestBytes(requestBytes));
  }

  /** The congestion signal of a response that ended cleanly at {@code nowNanos}. */
  LatencySample latencySample(long nowNanos) {
    if (eventStream) {
      return firstContentNanos < 0 ? LatencySample.NONE
          : LatencySample.firstToken(firstContentNanos - sentNanos).withRequestBytes(requestBytes);
    }
    Usage u = usage.usage();
    return LatencySample.perToken(nowNanos - sentNanos, u != null ? u.completionTokens() : -1)
        .withRequestBytes(requestBytes);
  }

  /**
   * The tokens to settle a reservation at: {@code usage}'s total, else the prompt's and what was streamed,
   * else {@code reserved}.
   */
  long tokensUsed(long promptTokens, long reserved) {
    Usage u = usage.usage();
    if (u != null) {
      return u.totalTokens();
    }
    return usage.filtersStream() ? promptTokens + usage.contentEvents() : reserved;
  }

  /** Prompt tokens from {@code usage}, else {@code estimate}. */
  long promptTokens(long estimate) {
    Usage u = usage.usage();
    return u != null ? u.promptTokens() : estimate;
  }

  /** Completion tokens from {@code usage}, else counted from the stream, else 0. */
  long completionTokens() {
    Usage u = usage.usage();
    return u != null ? u.completionTokens() : usage.streamedTokens();
  }

  /** Releases the stream filter, keeping what it saw. Idempotent. */
  void close() {
    usage.close();
  }
}
