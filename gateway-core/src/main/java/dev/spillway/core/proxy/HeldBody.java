package dev.spillway.core.proxy;

import dev.spillway.core.llm.ChatRequestScanner;
import dev.spillway.core.llm.RequestBodies;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import java.util.ArrayDeque;

/**
 * Request body pieces the exchange holds before it has a backend connection: while admission reads the
 * prefix, while the request waits for a permit, and while connecting. Bounded by the reads that fed it (the
 * exchange stops reading while it holds, except for the admission prefix, which has its own cap).
 *
 * <p>Ownership: pieces belong to this queue until {@link #writeTo} hands them to a channel or
 * {@link #release} drops them.
 */
final class HeldBody {
  private ArrayDeque<HttpContent> pieces;
  private long bytes;

  void add(HttpContent content) {
    if (pieces == null) {
      pieces = new ArrayDeque<>(4);
    }
    bytes += content.content().readableBytes();
    pieces.add(content);
  }

  boolean isEmpty() {
    return pieces == null || pieces.isEmpty();
  }

  long bytes() {
    return bytes;
  }

  /** Writes (without flushing) every held piece to {@code channel}, which takes ownership. */
  void writeTo(Channel channel) {
    if (pieces == null) {
      return;
    }
    HttpContent content;
    while ((content = pieces.poll()) != null) {
      channel.write(content);
    }
    bytes = 0;
  }

  /** Writes (without flushing) a duplicate of every held piece, keeping the pieces for another attempt. */
  void writeCopiesTo(Channel channel) {
    if (pieces == null) {
      return;
    }
    for (HttpContent content : pieces) {
      channel.write(content.retainedDuplicate());
    }
  }

  /** The top-level {@code model} of the held bytes (scanned without consuming them), or {@code null}. */
  String model() {
    if (pieces == null || bytes == 0) {
      return null;
    }
    ChatRequestScanner scanner = new ChatRequestScanner(bytes);
    for (HttpContent content : pieces) {
      scanner.feed(content.content());
      if (scanner.done()) {
        break;
      }
    }
    return scanner.info().model();
  }

  /**
   * A new buffer holding the whole held body with its top-level {@code model} set to {@code model}; the held
   * pieces stay as they are, for other attempts.
   */
  ByteBuf copyWithModel(ByteBufAllocator alloc, String model) {
    CompositeByteBuf whole = alloc.compositeBuffer(Math.max(2, pieces == null ? 0 : pieces.size()));
    try {
      if (pieces != null) {
        for (HttpContent content : pieces) {
          whole.addComponent(true, content.content().retainedDuplicate());
        }
      }
      return RequestBodies.withModel(alloc, whole, model);
    } finally {
      whole.release();
    }
  }

  /**
   * Replaces the held pieces, which must be the whole body, with the same JSON asking for a final usage chunk
   * ({@code stream_options.include_usage}).
   *
   * @return the new body length
   */
  long rewriteWithIncludeUsage(ByteBufAllocator alloc) {
    CompositeByteBuf whole = alloc.compositeBuffer(Math.max(2, pieces.size()));
    HttpContent content;
    while ((content = pieces.poll()) != null) {
      whole.addComponent(true, content.content());
    }
    ByteBuf rewritten;
    try {
      rewritten = RequestBodies.withIncludeUsage(alloc, whole);
    } finally {
      whole.release();
    }
    pieces.add(new DefaultLastHttpContent(rewritten));
    bytes = rewritten.readableBytes();
    return bytes;
  }

  void release() {
    if (pieces == null) {
      return;
    }
    HttpContent content;
    while ((content = pieces.poll()) != null) {
      content.release();
    }
    bytes = 0;
  }
}
