package dev.spillway.core.llm;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpContent;
import java.nio.charset.StandardCharsets;

/**
 * The SSE heartbeat, {@code : keep-alive\n\n}: a comment line every SSE client ignores, sent during long
 * silences so that proxies and load balancers between the gateway and the client do not close the
 * connection as idle.
 *
 * <p>A heartbeat may only go out between events: inserted into the middle of an event it would cut the event
 * in two. An instance tracks that: {@link #observe} every chunk forwarded to the client, and send a heartbeat
 * only while {@link #atEventBoundary()}. Not thread-safe: one per stream, on its event loop.
 */
public final class SseHeartbeat {
  private static final byte[] BYTES = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);

  private final SseLineState lines = new SseLineState();
  private boolean boundary = true;

  /** A copy of the heartbeat's bytes. */
  public static byte[] bytes() {
    return BYTES.clone();
  }

  /** A new buffer over the shared, pre-encoded bytes (no copy); the receiver releases it as usual. */
  public static ByteBuf buffer() {
    return Unpooled.wrappedBuffer(BYTES);
  }

  /** The heartbeat as a body piece to write to the client. */
  public static HttpContent content() {
    return new DefaultHttpContent(buffer());
  }

  /** Reads a chunk forwarded to the client (without consuming it). */
  public void observe(ByteBuf chunk) {
    int end = chunk.writerIndex();
    for (int i = chunk.readerIndex(); i < end; i++) {
      int result = lines.accept(chunk.getByte(i) & 0xFF);
      boundary = result == SseLineState.EVENT_END || result == SseLineState.PREVIOUS_EVENT;
    }
  }

  /** Whether everything forwarded so far ends with a complete event, so a heartbeat can go out now. */
  public boolean atEventBoundary() {
    return boundary;
  }
}
