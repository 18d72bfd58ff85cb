package dev.spillway.server.mock;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * {@code GET /debug/bytes?n=N}: answers N bytes where byte {@code i} is {@code (byte) (i % 251)}, framed by
 * Content-Length. It writes only while the connection is writable and continues on the writability event, so
 * a slow reader costs about one write buffer, not N bytes.
 *
 * <p>The data are slices of one shared, read-only pattern buffer; since 251 is the period, the slice for
 * offset {@code i} starts at {@code i % 251}.
 */
final class PatternBytesExchange extends Exchange {
  private static final int PERIOD = 251;
  private static final int CHUNK = 16 * 1024;
  private static final ByteBuf PATTERN = pattern(PERIOD * ((CHUNK + PERIOD - 1) / PERIOD + 1));

  private final String uri;
  private long total = -1;
  private long sent;

  PatternBytesExchange(ChannelHandlerContext ctx, MockState state, RequestRouter router, String uri) {
    super(ctx, state, router);
    this.uri = uri;
  }

  @Override
  void onContent(HttpContent content, boolean last) {
    content.release();
    if (!last) {
      return;
    }
    List<String> n = new QueryStringDecoder(uri).parameters().get("n");
    total = n == null || n.size() != 1 ? -1 : parse(n.get(0));
    if (total < 0) {
      finish(DebugResponses.badParameter("n", "n: expected one non-negative integer query parameter"));
      return;
    }
    HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM)
        .set(HttpHeaderNames.CONTENT_LENGTH, total);
    ctx.write(response, ctx.voidPromise());
    writeWhileWritable();
  }

  @Override
  void onWritabilityChanged() {
    if (total >= 0 && ctx.channel().isWritable()) {
      writeWhileWritable();
    }
  }

  private void writeWhileWritable() {
    while (sent < total && ctx.channel().isWritable()) {
      int length = (int) Math.min(CHUNK, total - sent);
      ByteBuf slice = PATTERN.slice((int) (sent % PERIOD), length);
      sent += length;
      ctx.write(new DefaultHttpContent(slice), ctx.voidPromise());
    }
    if (sent == total) {
      total = -1;
      finish(LastHttpContent.EMPTY_LAST_CONTENT);
    } else {
      ctx.flush();
    }
  }

  private static long parse(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static ByteBuf pattern(int length) {
    ByteBuffer bytes = ByteBuffer.allocateDirect(length);
    for (int i = 0; i < length; i++) {
      bytes.put((byte) (i % PERIOD));
    }
    bytes.flip();
    return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(bytes));
  }
}
