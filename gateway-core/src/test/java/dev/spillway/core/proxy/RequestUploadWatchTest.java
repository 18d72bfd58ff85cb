package dev.spillway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The upload shows each body piece it takes to its watcher once, intact and before it is held or written, and
 * never again when a held body is replayed to another attempt (so the request's kind is read from each byte
 * once).
 */
class RequestUploadWatchTest {
  private final EmbeddedChannel first = new EmbeddedChannel();
  private final EmbeddedChannel second = new EmbeddedChannel();
  /** The text of every piece shown, read when shown. */
  private final List<String> seen = new ArrayList<>();

  @AfterEach
  void close() {
    first.finishAndReleaseAll();
    second.finishAndReleaseAll();
  }

  private void watch(ByteBuf body) {
    assertThat(body.refCnt()).as("shown before it is handed on").isEqualTo(1);
    seen.add(body.toString(body.readerIndex(), body.readableBytes(), StandardCharsets.UTF_8));
  }

  private static HttpContent piece(String text, boolean last) {
    ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(text.getBytes(StandardCharsets.UTF_8));
    return last ? new DefaultLastHttpContent(buf) : new DefaultHttpContent(buf);
  }

  @Test
  void heldAndWrittenPiecesAreEachShownOnceAndReplaysNever() {
    RequestUpload upload = new RequestUpload(-1, 1 << 20);
    upload.watch(this::watch);
    assertThat(upload.accept(piece("{\"stream\"", false), null)).isEqualTo(RequestUpload.Accepted.HELD);
    assertThat(upload.accept(piece(":true", false), null)).isEqualTo(RequestUpload.Accepted.HELD);
    assertThat(seen).containsExactly("{\"stream\"", ":true");

    upload.send(first, new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/chat/completions"), null,
        true, PooledByteBufAllocator.DEFAULT);
    assertThat(upload.accept(piece("}", true), first)).isEqualTo(RequestUpload.Accepted.WRITTEN);
    assertThat(seen).containsExactly("{\"stream\"", ":true", "}");

    upload.send(second, new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/chat/completions"), null,
        true, PooledByteBufAllocator.DEFAULT);
    assertThat(seen).as("a replay shows nothing again").hasSize(3);
    upload.releaseHeld();
  }

  @Test
  void refusedPiecesAreNotShown() {
    RequestUpload upload = new RequestUpload(-1, 4);
    upload.watch(this::watch);
    HttpContent malformed = piece("{}", false);
    malformed.setDecoderResult(DecoderResult.failure(new IllegalStateException("bad chunk")));
    assertThat(upload.accept(malformed, null)).isEqualTo(RequestUpload.Accepted.MALFORMED);
    malformed.release();
    HttpContent tooLarge = piece("{\"stream\":true}", true);
    assertThat(upload.accept(tooLarge, null)).isEqualTo(RequestUpload.Accepted.TOO_LARGE);
    tooLarge.release();
    assertThat(seen).isEmpty();
  }

  @Test
  void withoutAWatcherNothingIsShown() {
    RequestUpload upload = new RequestUpload(-1, 1 << 20);
    upload.watch(null);
    assertThat(upload.accept(piece("{}", true), null)).isEqualTo(RequestUpload.Accepted.HELD);
    upload.releaseHeld();
    assertThat(seen).isEmpty();
  }
}
