package dev.spillway.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TokenCounterTest {
  private static void feed(TokenCounter counter, String text, int chunk) {
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < bytes.length; i += chunk) {
      ByteBuf buf = Unpooled.wrappedBuffer(bytes, i, Math.min(chunk, bytes.length - i));
      counter.scan(buf);
    }
  }

  @Test
  void findsTheUsageOfAJsonAnswerSplitAnywhere() {
    String body = "{\"id\":\"x\",\"choices\":[{\"message\":{\"content\":\"hi\"}}],\"usage\":{\"prompt_tokens\":12,"
        + "\"completion_tokens\": 345,\"total_tokens\":357}}";
    for (int chunk = 1; chunk <= body.length(); chunk += 7) {
      TokenCounter counter = new TokenCounter();
      feed(counter, body, chunk);
      assertThat(counter.tokens(false)).isEqualTo(345);
    }
  }

  @Test
  void aStreamWithoutUsageCountsItsContentEvents() {
    TokenCounter counter = new TokenCounter();
    StringBuilder sse = new StringBuilder("data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n");
    assertThat(sawContentAfter(counter, sse.toString())).isFalse();
    for (int i = 0; i < 5; i++) {
      sse.append("data: {\"choices\":[{\"delta\":{\"content\":\" w\"}}]}\n\n");
    }
    sse.append("data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}\n\n");
    sse.append("data: {\"choices\":[],\"usage\":{\"completion_tokens\":null}}\n\n");
    sse.append("data: [DONE]\n\n");
    TokenCounter whole = new TokenCounter();
    feed(whole, sse.toString(), 3);
    assertThat(whole.sawContent()).isTrue();
    assertThat(whole.tokens(true)).isEqualTo(5);
    assertThat(whole.tokens(false)).isZero();
  }

  @Test
  void theRoleChunksEmptyContentIsNotTheFirstToken() {
    TokenCounter counter = new TokenCounter();
    feed(counter, "data: {\"delta\":{\"role\":\"assistant\",\"content\": \"\"}}\n\n", 2);
    assertThat(counter.sawContent()).isFalse();
    feed(counter, "data: {\"delta\":{\"content\": \"Hello\"}}\n\n", 2);
    assertThat(counter.sawContent()).isTrue();
  }

  @Test
  void resetForgetsTheLastAnswer() {
    TokenCounter counter = new TokenCounter();
    feed(counter, "\"completion_tokens\":9}", 4);
    counter.reset();
    assertThat(counter.tokens(false)).isZero();
    assertThat(counter.sawContent()).isFalse();
  }

  private static boolean sawContentAfter(TokenCounter counter, String text) {
    feed(counter, text, 5);
    return counter.sawContent();
  }
}
