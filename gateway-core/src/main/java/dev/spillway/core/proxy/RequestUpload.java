package dev.spillway.core.proxy;

import dev.spillway.core.http.RequestFraming;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * The client-to-backend half of an exchange: counts the request body against the size limit, holds pieces
 * while there is no backend connection (admission prefix, waiting room, connecting), writes them to the
 * backend once there is one (flushing at the end of each client read), and knows whether the exchange wants
 * more bytes from the client.
 *
 * <p>Ownership: a piece passed to {@link #accept} is held, written to the backend, or (when it is rejected)
 * left to the caller to release; {@link #releaseHeld} drops whatever is still held.
 */
final class RequestUpload {
  /** Largest unread body the gateway swallows to keep a connection after an early answer (as nginx does). */
  static final long DISCARD_LIMIT = 64 * 1024;

  /** What {@link #accept} made of a piece. */
  enum Accepted { HELD, WRITTEN, TOO_LARGE, MALFORMED }

  /**
   * Reads each body piece the upload takes, once, before it is held or written (a written piece may be gone
   * at once); it must not consume, retain or release the buffer. Replays of held pieces are not shown again.
   */
  interface Watcher {
    void piece(ByteBuf body);
  }

  private final long maxBodySize;
  private final HeldBody held = new HeldBody();
  private long bodyLength;
  private long bodyBytes;
  private boolean complete;
  private boolean needsFlush;
  /** Reads the pieces taken, or {@code null}. */
  private Watcher watcher;

  RequestUpload(long bodyLength, long maxBodySize) {
    this.bodyLength = bodyLength;
    this.maxBodySize = maxBodySize;
  }

  /** Shows every piece taken from now on to {@code watcher} ({@code null}: none). */
  void watch(Watcher watcher) {
    this.watcher = watcher;
  }

  /**
   * Takes a body piece: held while {@code upstream} is {@code null}, written to it otherwise. A piece that is
   * malformed or pushes the body past the limit is not taken (the caller releases it and fails the exchange).
   */
  Accepted accept(HttpContent content, Channel upstream) {
    if (content.decoderResult().isFailure()) {
      return Accepted.MALFORMED;
    }
    bodyBytes += content.content().readableBytes();
    if (bodyBytes > maxBodySize) {
      return Accepted.TOO_LARGE;
    }
    if (content instanceof LastHttpContent) {
      complete = true;
    }
    if (watcher != null) {
      watcher.piece(content.content());
    }
    if (upstream == null) {
      held.add(content);
      return Accepted.HELD;
    }
    upstream.write(content);
    needsFlush = true;
    return Accepted.WRITTEN;
  }

  /** The top-level {@code model} of the body held so far, or {@code null}. */
  String heldModel() {
    return held.model();
  }

  /**
   * Sends {@code head} and the body held so far to an attempt's connection, and flushes: the held pieces
   * themselves, or with {@code replay} copies of them (see {@link #writeWithCopies}).
   */
  void send(Channel upstream, HttpRequest head, String model, boolean replay, ByteBufAllocator alloc) {
    if (replay) {
      writeWithCopies(upstream, head, model, alloc);
    } else {
      upstream.write(head);
      writeHeld(upstream);
    }
    upstream.flush();
  }

  /** Writes the held pieces to a newly attached backend connection (the caller flushes). */
  void writeHeld(Channel upstream) {
    held.writeTo(upstream);
  }

  /**
   * Writes {@code head} and a copy of the whole held body to an attempt's connection (the caller flushes),
   * keeping the pieces for a further attempt; with {@code model}, the copy asks for that model instead of the
   * client's and {@code head} declares its length.
   */
  void writeWithCopies(Channel upstream, HttpRequest head, String model, ByteBufAllocator alloc) {
    if (model == null) {
      upstream.write(head);
      held.writeCopiesTo(upstream);
      return;
    }
    io.netty.buffer.ByteBuf body = held.copyWithModel(alloc, model);
    // The head must declare the new length before it is written (and encoded).
    head.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
    upstream.write(head);
    upstream.write(new io.netty.handler.codec.http.DefaultLastHttpContent(body));
  }

  /** End of a client read: flush what was written to the backend during it. */
  void flush(Channel upstream) {
    if (needsFlush && upstream != null) {
      needsFlush = false;
      upstream.flush();
    }
  }

  /**
   * Rewrites a fully held streamed body to ask for a final usage chunk; returns whether it was possible (the
   * whole body is here). A declared length, and the {@code Content-Length} in {@code headers}, is updated.
   */
  boolean injectIncludeUsage(ByteBufAllocator alloc, HttpHeaders headers) {
    if (!complete || held.isEmpty()) {
      return false;
    }
    long length = held.rewriteWithIncludeUsage(alloc);
    if (bodyLength != RequestFraming.CHUNKED) {
      bodyLength = length;
      headers.setInt(HttpHeaderNames.CONTENT_LENGTH, (int) length);
    }
    return true;
  }

  void releaseHeld() {
    held.release();
  }

  /** The body length as classified by {@link RequestFraming} (updated by {@link #injectIncludeUsage}). */
  long bodyLength() {
    return bodyLength;
  }

  /** Body bytes received so far. */
  long bodyBytes() {
    return bodyBytes;
  }

  boolean isComplete() {
    return complete;
  }

  /** The rest of the body was read and dropped after an early answer. */
  void markDrained() {
    complete = true;
  }

  /** Whether a body is declared and not all of it has arrived. */
  boolean bodyPending() {
    return bodyLength != RequestFraming.NO_BODY && !complete;
  }

  /** Whether the unread rest is small and declared, so it can be read and dropped to keep the connection. */
  boolean canDiscardRest() {
    return bodyLength != RequestFraming.CHUNKED && bodyLength - bodyBytes <= DISCARD_LIMIT;
  }
}
