package dev.spillway.core.llm;

import static dev.spillway.core.llm.Chunks.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpContent;
import org.junit.jupiter.api.Test;

class SseHeartbeatTest {
  @Test
  void isAnSseCommentEndingWithABlankLine() {
    assertThat(new String(SseHeartbeat.bytes(), java.nio.charset.StandardCharsets.US_ASCII))
        .isEqualTo(": keep-alive\n\n");
    ByteBuf buf = SseHeartbeat.buffer();
    assertThat(Chunks.string(buf)).isEqualTo(": keep-alive\n\n");
    assertThat(buf.release()).isTrue();
    HttpContent content = SseHeartbeat.content();
    assertThat(Chunks.string(content.content())).isEqualTo(": keep-alive\n\n");
    content.release();
    // Releasing copies never touches the shared bytes.
    assertThat(Chunks.string(SseHeartbeat.content().content())).isEqualTo(": keep-alive\n\n");
    // Clients see no event in it.
    SseFirstContentDetector detector = new SseFirstContentDetector();
    ByteBuf again = SseHeartbeat.buffer();
    detector.feed(again);
    again.release();
    assertThat(detector.committed()).isFalse();
  }

  @Test
  void allowsHeartbeatsOnlyBetweenEvents() {
    SseHeartbeat heartbeat = new SseHeartbeat();
    assertThat(heartbeat.atEventBoundary()).isTrue();
    assertThat(observe(heartbeat, "data: {\"a\":")).isFalse();
    assertThat(observe(heartbeat, "1}\n")).isFalse();
    assertThat(observe(heartbeat, "\n")).isTrue();
    assertThat(observe(heartbeat, "data: x\r\n\r")).isTrue();
    assertThat(observe(heartbeat, "\n")).isTrue();
    assertThat(observe(heartbeat, ": comment\r\n")).isFalse();
    assertThat(observe(heartbeat, "\r\n")).isTrue();
    assertThat(observe(heartbeat, "data: y\r\rdata: z")).isFalse();
    assertThat(observe(heartbeat, "\r\r")).isTrue();
  }

  private static boolean observe(SseHeartbeat heartbeat, String s) {
    byte[] data = utf8(s);
    ByteBuf buf = Chunks.chunk(data, 0, data.length, 3);
    try {
      heartbeat.observe(buf);
      return heartbeat.atEventBoundary();
    } finally {
      buf.release();
    }
  }
}
