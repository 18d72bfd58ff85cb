package dev.spillway.core.proxy;

import dev.spillway.core.llm.JsonUsageScanner;
import dev.spillway.core.llm.SseUsageFilter;
import dev.spillway.core.llm.Usage;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * What a response says about its token use, for {@link AdmissionGate}: an event stream passes through an
 * {@link SseUsageFilter} (when the route counts tokens), which counts content events and finds {@code usage}
 * (removing a usage chunk Spillway asked for); a non-streamed answer is always scanned for {@code usage} (its
 * latency sample is its time per completion token). What the stream filter saw is kept after it is closed, so
 * the access record can report it. Runs on the exchange's event loop.
 */
final class ResponseUsage {
  private SseUsageFilter sseFilter;
  private JsonUsageScanner jsonScanner;
  private Usage finalUsage;
  private long finalStreamed;

  /**
   * The response head arrived.
   *
   * @param filterStream whether an event stream is filtered (the route counts tokens)
   * @param injectUsage whether Spillway asked the backend for a final usage chunk, to be removed
   */
  void start(boolean eventStream, boolean filterStream, boolean injectUsage) {
    if (eventStream) {
      if (filterStream) {
        sseFilter = new SseUsageFilter(injectUsage);
      }
    } else {
      jsonScanner = new JsonUsageScanner();
    }
  }

  /** Whether an event stream is being filtered (its content events are counted). */
  boolean filtersStream() {
    return sseFilter != null;
  }

  /** Content events seen so far; only while {@link #filtersStream()}. */
  long contentEvents() {
    return sseFilter.contentEvents();
  }

  /** Passes a response piece through; may return a different message (owning the buffer). */
  HttpContent process(HttpContent content) {
    if (sseFilter != null) {
      ByteBuf out = sseFilter.process(content.content());
      return content instanceof LastHttpContent last
          ? new DefaultLastHttpContent(out, last.trailingHeaders())
          : new DefaultHttpContent(out);
    }
    if (jsonScanner != null) {
      jsonScanner.feed(content.content());
    }
    return content;
  }

  /** The response's {@code usage}, or {@code null}. */
  Usage usage() {
    if (sseFilter != null) {
      return sseFilter.usage();
    }
    if (finalUsage != null) {
      return finalUsage;
    }
    return jsonScanner != null ? jsonScanner.usage() : null;
  }

  /** Content events of a filtered stream, also after {@link #close()}; 0 otherwise. */
  long streamedTokens() {
    return sseFilter != null ? sseFilter.contentEvents() : finalStreamed;
  }

  /** Releases the stream filter, keeping what it saw. Idempotent. */
  void close() {
    if (sseFilter != null) {
      finalUsage = sseFilter.usage();
      finalStreamed = sseFilter.contentEvents();
      sseFilter.close();
      sseFilter = null;
    }
  }
}
