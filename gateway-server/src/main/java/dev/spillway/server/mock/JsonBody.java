package dev.spillway.server.mock;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import java.io.IOException;
import java.io.InputStream;

/**
 * The JSON body of one mock API request, gathered as it arrives: at most {@value #MAX_BYTES} bytes (by
 * {@code Content-Length} or as counted), else it answers 413 itself and closes the connection, dropping the
 * rest.
 *
 * <p>Ownership: body parts are gathered in a composite buffer that is released once parsed or by
 * {@link #release} (when the connection closes).
 */
final class JsonBody {
  static final int MAX_BYTES = 16 * 1024 * 1024;
  private static final int MAX_COMPONENTS = 1024;

  private final ChannelHandlerContext ctx;
  private final MockState state;
  private final boolean declaredTooLarge;
  private CompositeByteBuf body;
  private long received;
  private boolean discarding;

  JsonBody(ChannelHandlerContext ctx, MockState state, HttpRequest head) {
    this.ctx = ctx;
    this.state = state;
    this.declaredTooLarge = HttpUtil.getContentLength(head, -1L) > MAX_BYTES;
  }

  /** Takes a body part (owning it); returns true when the whole body is here and may be {@link #parse}d. */
  boolean add(HttpContent content, boolean last) {
    if (discarding) {
      content.release();
      return false;
    }
    ByteBuf data = content.content();
    received += data.readableBytes();
    if (declaredTooLarge || received > MAX_BYTES) {
      content.release();
      discarding = true;
      release();
      state.requestsServed.increment();
      ctx.writeAndFlush(MockResponses.tooLarge()).addListener(ChannelFutureListener.CLOSE);
      return false;
    }
    if (data.isReadable()) {
      if (body == null) {
        body = ctx.alloc().compositeBuffer(MAX_COMPONENTS);
      }
      body.addComponent(true, data);
    } else {
      content.release();
    }
    return last;
  }

  /** The body as JSON, or null when it is not JSON; the bytes are released either way. */
  JsonNode parse() {
    JsonNode json;
    try (InputStream in = new ByteBufInputStream(body == null ? Unpooled.EMPTY_BUFFER : body)) {
      json = MockResponses.MAPPER.readTree(in);
    } catch (IOException e) {
      json = null;
    } finally {
      release();
    }
    return json == null || json.isMissingNode() ? null : json;
  }

  void release() {
    if (body != null) {
      body.release();
      body = null;
    }
  }
}
