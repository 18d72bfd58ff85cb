package dev.spillway.server.mock;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spillway.server.mock.engine.FinishedSequences;
import dev.spillway.server.mock.engine.Sequence;
import dev.spillway.server.mock.engine.SequenceListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Backpressure and ordering of {@link EngineStream} on an {@link EmbeddedChannel}. */
class EngineStreamTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
  private final ChannelHandlerContext ctx = channel.pipeline().firstContext();
  /** The last parts handed over; each is written and flushed as the exchange does. */
  private final List<Class<?>> completed = new ArrayList<>();
  private final List<SequenceListener.Rejection> rejected = new ArrayList<>();

  @AfterEach
  void release() {
    channel.finishAndReleaseAll();
  }

  private EngineStream stream(boolean stream) {
    ChatRequest request = new ChatRequest("m", stream, stream, 3, 16, true, 4);
    return new EngineStream(ctx, request, this::complete, (seq, r) -> rejected.add(r));
  }

  private void complete(HttpObject last) {
    completed.add(last.getClass());
    ctx.writeAndFlush(last);
  }

  /** A sequence the engine finished with 3 prompt and 4 answer tokens. */
  private static Sequence finishedSequence() {
    return FinishedSequences.of(3, 4, true);
  }

  private void setWritable(boolean writable) {
    channel.unsafe().outboundBuffer().setUserDefinedWritability(1, writable);
  }

  private List<String> drainEvents() {
    List<String> events = new ArrayList<>();
    for (Object msg = channel.readOutbound(); msg != null; msg = channel.readOutbound()) {
      if (msg instanceof HttpContent content) {
        events.add(content.content().toString(US_ASCII));
      } else {
        assertThat(msg).isInstanceOf(HttpResponse.class);
      }
      ReferenceCountUtil.release(msg);
    }
    return events;
  }

  @Test
  void tokensGeneratedWhileUnwritableAreCountedAndSentOnceWritable() throws Exception {
    EngineStream stream = stream(true);
    setWritable(false);

    for (int i = 0; i < 4; i++) {
      stream.onTokens(1);
    }
    stream.onFinished(finishedSequence());
    assertThat(drainEvents()).isEmpty();
    assertThat(completed).isEmpty();

    setWritable(true);
    stream.onWritabilityChanged();

    List<String> events = drainEvents();
    // role, 4 tokens, finish, usage, [DONE]
    assertThat(events).hasSize(8);
    assertThat(JSON.readTree(events.get(6).substring(6)).path("usage").path("completion_tokens").asInt())
        .isEqualTo(4);
    assertThat(events.get(7)).isEqualTo("data: [DONE]\n\n");
    assertThat(LastHttpContent.class.isAssignableFrom(completed.get(0))).isTrue();
  }

  @Test
  void tokensAreWrittenAsTheyComeWhileWritable() {
    EngineStream stream = stream(true);

    stream.onTokens(1);
    assertThat(drainEvents()).hasSize(2); // role and the first token
    stream.onTokens(1);
    assertThat(drainEvents()).hasSize(1);
  }

  @Test
  void aCancelledStreamWritesNothingMore() {
    EngineStream stream = stream(true);
    stream.onTokens(1);
    drainEvents();

    stream.cancel();
    stream.onTokens(1);
    stream.onFinished(finishedSequence());

    assertThat(drainEvents()).isEmpty();
    assertThat(completed).isEmpty();
  }

  @Test
  void aNonStreamedAnswerComesWholeAtTheEnd() throws Exception {
    EngineStream stream = stream(false);
    stream.onTokens(1);
    stream.onTokens(1);
    assertThat(completed).isEmpty();

    stream.onFinished(finishedSequence());

    assertThat(completed).hasSize(1);
    List<String> events = drainEvents();
    assertThat(JSON.readTree(events.get(0)).path("usage").path("total_tokens").asInt()).isEqualTo(7);
  }

  @Test
  void aRejectionIsAnsweredOnce() {
    EngineStream stream = stream(false);

    stream.onRejected(finishedSequence(), SequenceListener.Rejection.QUEUE_FULL);
    stream.onRejected(finishedSequence(), SequenceListener.Rejection.QUEUE_FULL);

    assertThat(rejected).containsExactly(SequenceListener.Rejection.QUEUE_FULL);
  }
}
