package dev.spillway.server.mock;

import dev.spillway.server.mock.engine.Sequence;
import dev.spillway.server.mock.engine.SequenceListener;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Carries one engine {@link Sequence}'s tokens to its connection: a {@code chat.completion.chunk} event per
 * token for a stream, or the whole {@code chat.completion} once the engine finishes.
 *
 * <p>Backpressure: the engine generates at its own pace whatever the client does, as a real engine does, so a
 * slow client's sequence keeps its batch slot and KV cache. Tokens that arrive while the connection is not
 * writable are only counted, and written once it drains; the buffered bytes stay bounded by one burst.
 *
 * <p>The engine calls the listener methods on its own event loop; they hop to the connection's loop, where
 * everything else here runs.
 */
final class EngineStream implements SequenceListener {
  /** Where the response is. */
  private enum Phase { WAITING, STREAMING, DONE }

  private final ChannelHandlerContext ctx;
  private final ChatRequest request;
  private final CompletionEncoder encoder;
  private final Consumer<HttpObject> onComplete;
  private final BiConsumer<Sequence, Rejection> onRejected;
  private Phase phase = Phase.WAITING;
  private int pending;
  private int emitted;
  private Sequence finished;

  /**
   * {@code onComplete} gets the response's last part to write and flush; {@code onRejected} answers a refused
   * request. Neither is called after {@link #cancel}.
   */
  EngineStream(ChannelHandlerContext ctx, ChatRequest request, Consumer<HttpObject> onComplete,
               BiConsumer<Sequence, Rejection> onRejected) {
    this.ctx = ctx;
    this.request = request;
    this.encoder = new CompletionEncoder(request.model(), request.includeUsage());
    this.onComplete = onComplete;
    this.onRejected = onRejected;
  }

  @Override
  public void onTokens(int count) {
    onChannelLoop(() -> {
      pending += count;
      drain();
    });
  }

  @Override
  public void onFinished(Sequence sequence) {
    onChannelLoop(() -> {
      finished = sequence;
      drain();
    });
  }

  @Override
  public void onRejected(Sequence sequence, Rejection rejection) {
    onChannelLoop(() -> {
      if (phase != Phase.DONE) {
        phase = Phase.DONE;
        onRejected.accept(sequence, rejection);
      }
    });
  }

  /** The connection writes again: send what piled up. */
  void onWritabilityChanged() {
    drain();
  }

  /** The connection closed: write nothing more. */
  void cancel() {
    phase = Phase.DONE;
  }

  private void drain() {
    if (phase == Phase.DONE) {
      return;
    }
    if (!request.stream()) {
      if (finished != null) {
        phase = Phase.DONE;
        onComplete.accept(MockResponses.json(HttpResponseStatus.OK, encoder.completion(ctx.alloc(),
            finished.answerTokens(), finishReason(), finished.promptTokens())));
      }
      return;
    }
    ByteBufAllocator alloc = ctx.alloc();
    boolean wrote = false;
    while (pending > 0 && ctx.channel().isWritable()) {
      if (phase == Phase.WAITING) {
        phase = Phase.STREAMING;
        ctx.write(PacedGeneration.streamHeaders(), ctx.voidPromise());
        ctx.write(new DefaultHttpContent(encoder.roleChunk(alloc)), ctx.voidPromise());
      }
      ctx.write(new DefaultHttpContent(encoder.tokenChunk(alloc, emitted)), ctx.voidPromise());
      emitted++;
      pending--;
      wrote = true;
    }
    if (pending == 0 && finished != null && phase == Phase.STREAMING) {
      phase = Phase.DONE;
      ctx.write(new DefaultHttpContent(encoder.finishChunk(alloc, finishReason())), ctx.voidPromise());
      if (request.includeUsage()) {
        ctx.write(new DefaultHttpContent(encoder.usageChunk(alloc, finished.promptTokens(),
            finished.answerTokens())), ctx.voidPromise());
      }
      onComplete.accept(new DefaultLastHttpContent(CompletionEncoder.DONE.duplicate()));
      return;
    }
    if (wrote) {
      ctx.flush();
    }
  }

  private String finishReason() {
    return finished.lengthLimited() ? "length" : "stop";
  }

  private void onChannelLoop(Runnable task) {
    if (ctx.executor().inEventLoop()) {
      task.run();
    } else {
      ctx.executor().execute(task);
    }
  }
}
