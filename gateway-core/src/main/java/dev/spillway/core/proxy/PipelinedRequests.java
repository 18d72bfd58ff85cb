package dev.spillway.core.proxy;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * The messages of requests that arrived while an earlier one on the connection was still being answered, in
 * order, at most {@link #MAX_REQUESTS} requests deep. Owns what it holds: every message is taken out again by
 * {@link #poll} or released by {@link #releaseAll}.
 */
final class PipelinedRequests {
  /** Most requests parked behind the current one; a client pipelining deeper is cut off after them. */
  static final int MAX_REQUESTS = 64;

  private final ArrayDeque<Object> messages = new ArrayDeque<>(2);
  /** Request heads among {@link #messages}. */
  private int heads;

  /**
   * Parks {@code msg}; returns {@code false}, having released it, when it is the head of one request too many.
   */
  boolean park(Object msg) {
    if (msg instanceof HttpRequest) {
      if (heads == MAX_REQUESTS) {
        ReferenceCountUtil.release(msg);
        return false;
      }
      heads++;
    }
    messages.add(msg);
    return true;
  }

  Object peek() {
    return messages.peek();
  }

  /** Takes out the oldest message, or {@code null}; the caller owns it. */
  Object poll() {
    Object msg = messages.poll();
    if (msg instanceof HttpRequest) {
      heads--;
    }
    return msg;
  }

  boolean isEmpty() {
    return messages.isEmpty();
  }

  void releaseAll() {
    Object msg;
    while ((msg = messages.poll()) != null) {
      ReferenceCountUtil.release(msg);
    }
    heads = 0;
  }
}
