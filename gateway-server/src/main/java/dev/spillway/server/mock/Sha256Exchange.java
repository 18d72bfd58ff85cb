package dev.spillway.server.mock;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * {@code POST /debug/sha256}: hashes the request body as it arrives, holding none of it, and answers
 * {@code {"bytes":N,"sha256":"<hex>"}}.
 *
 * <p>Ownership: each body part is released once hashed.
 */
final class Sha256Exchange extends Exchange {
  private final MessageDigest digest;
  private long bytes;

  Sha256Exchange(ChannelHandlerContext ctx, MockState state, RequestRouter router) {
    super(ctx, state, router);
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK provides SHA-256", e);
    }
  }

  @Override
  void onContent(HttpContent content, boolean last) {
    try {
      ByteBuf data = content.content();
      int n = data.readableBytes();
      if (n > 0) {
        if (data.nioBufferCount() == 1) {
          digest.update(data.nioBuffer());
        } else {
          for (ByteBuffer part : data.nioBuffers()) {
            digest.update(part);
          }
        }
        bytes += n;
      }
    } finally {
      content.release();
    }
    if (last) {
      finish(DebugResponses.digest(bytes, HexFormat.of().formatHex(digest.digest())));
    }
  }
}
