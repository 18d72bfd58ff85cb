package dev.spillway.core.proxy;

import dev.spillway.core.llm.SseFirstContentDetector;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * A streamed LLM answer held back from the client until its first content event (a token, a tool call,
 * {@code [DONE]}, an error, or an event that is not an LLM answer's at all), so that a backend failing before it can be replaced invisibly. Bounded: past
 * {@value #MAX_HELD_BYTES} bytes the response is committed anyway.
 *
 * <p>Ownership: held pieces are handed on in order by {@link #drainTo}, or released by {@link #release}.
 */
final class FirstTokenHold {
  static final int MAX_HELD_BYTES = 256 * 1024;

  private final HttpResponse head;
  private final ArrayDeque<HttpContent> pieces = new ArrayDeque<>(4);
  private final SseFirstContentDetector detector = new SseFirstContentDetector();
  private long bytes;

  FirstTokenHold(HttpResponse head) {
    this.head = head;
  }

  HttpResponse head() {
    return head;
  }

  /** Holds a piece; returns whether the response may now go to the client. */
  boolean add(HttpContent content) {
    pieces.add(content);
    bytes += content.content().readableBytes();
    detector.feed(content.content());
    return detector.committed() || content instanceof LastHttpContent || bytes > MAX_HELD_BYTES;
  }

  /** Whether the event that ended the hold is an error: the attempt failed before its first token. */
  boolean failedBeforeContent() {
    return detector.seen() == SseFirstContentDetector.Seen.ERROR;
  }

  /** Hands every held piece on, in order. */
  void drainTo(Consumer<HttpContent> sink) {
    HttpContent content;
    while ((content = pieces.poll()) != null) {
      sink.accept(content);
    }
  }

  void release() {
    HttpContent content;
    while ((content = pieces.poll()) != null) {
      content.release();
    }
  }
}
