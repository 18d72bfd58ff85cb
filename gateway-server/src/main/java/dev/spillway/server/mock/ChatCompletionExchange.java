package dev.spillway.server.mock;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spillway.server.mock.engine.LengthSampler;
import dev.spillway.server.mock.engine.Sequence;
import dev.spillway.server.mock.engine.SequenceListener;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import java.io.IOException;
import java.io.InputStream;

/**
 * {@code POST /v1/chat/completions}: collects the JSON body (at most {@value #MAX_BODY_BYTES} bytes, else 413
 * and close), parses it, waits for a slot of the {@link CapacityGate} (503 when the queue is full) and hands
 * the request to a {@link ChatGeneration}.
 *
 * <p>Ownership: body parts are gathered in a composite buffer that is released once parsed or when the
 * connection closes. The capacity ticket is closed exactly once: when the response completes or when the
 * connection closes, whichever comes first.
 */
final class ChatCompletionExchange extends Exchange {
  static final int MAX_BODY_BYTES = 16 * 1024 * 1024;
  private static final int MAX_COMPONENTS = 1024;

  private final boolean declaredTooLarge;
  private CompositeByteBuf body;
  private long received;
  private boolean discarding;
  private boolean closed;
  private ChatRequest request;
  private CapacityGate.Ticket ticket;
  private ChatGeneration generation;
  private Sequence sequence;
  private EngineStream engineStream;

  ChatCompletionExchange(ChannelHandlerContext ctx, MockState state, RequestRouter router, HttpRequest head) {
    super(ctx, state, router);
    this.declaredTooLarge = HttpUtil.getContentLength(head, -1L) > MAX_BODY_BYTES;
  }

  @Override
  void onContent(HttpContent content, boolean last) {
    if (discarding) {
      content.release();
      return;
    }
    ByteBuf data = content.content();
    received += data.readableBytes();
    if (declaredTooLarge || received > MAX_BODY_BYTES) {
      content.release();
      rejectTooLarge();
      return;
    }
    if (data.isReadable()) {
      if (body == null) {
        body = ctx.alloc().compositeBuffer(MAX_COMPONENTS);
      }
      body.addComponent(true, data);
    } else {
      content.release();
    }
    if (last) {
      admit();
    }
  }

  @Override
  void onClosed() {
    closed = true;
    releaseBody();
    if (generation != null) {
      generation.cancel();
    }
    if (engineStream != null) {
      engineStream.cancel();
      state.engine.abort(sequence);
    }
    if (ticket != null) {
      ticket.close();
    }
  }

  private void rejectTooLarge() {
    discarding = true;
    releaseBody();
    state.requestsServed.increment();
    ctx.writeAndFlush(MockResponses.tooLarge()).addListener(ChannelFutureListener.CLOSE);
  }

  private void admit() {
    JsonNode json;
    try (InputStream in = new ByteBufInputStream(body == null ? Unpooled.EMPTY_BUFFER : body)) {
      json = MockResponses.MAPPER.readTree(in);
    } catch (IOException e) {
      json = null;
    } finally {
      releaseBody();
    }
    if (json == null || json.isMissingNode()) {
      finish(MockResponses.invalidJson());
      return;
    }
    try {
      request = ChatRequest.parse(json, state.options.defaultCompletionTokens());
    } catch (ChatRequest.InvalidRequestException e) {
      finish(MockResponses.error(HttpResponseStatus.BAD_REQUEST, e.getMessage(), "invalid_request_error",
          e.param()));
      return;
    }
    if (state.engine != null) {
      submitToEngine();
      return;
    }
    ticket = new CapacityGate.Ticket(state.gate, ctx.executor(), this::startGeneration);
    switch (state.gate.enter(ticket)) {
      case GRANTED -> startGeneration();
      case QUEUED -> { }
      case REJECTED -> {
        state.rejected.increment();
        finish(MockResponses.overloaded());
      }
    }
  }

  @Override
  void onWritabilityChanged() {
    if (engineStream != null) {
      engineStream.onWritabilityChanged();
    }
  }

  private void submitToEngine() {
    engineStream = new EngineStream(ctx, request, this::finish, this::rejectedByEngine);
    sequence = new Sequence(new LengthSampler.Asked(request.promptTokens(), request.maxTokens()), engineStream);
    state.engine.submit(sequence);
  }

  private void rejectedByEngine(Sequence seq, SequenceListener.Rejection rejection) {
    engineStream = null;
    switch (rejection) {
      case QUEUE_FULL -> {
        state.rejected.increment();
        finish(MockResponses.engineOverloaded(state.engine.options().metrics()));
      }
      case TOO_LONG -> finish(MockResponses.contextTooLong(state.engine.options().kvCacheTokens(),
          seq.promptTokens(), seq.answerTokens()));
    }
  }

  /** Runs on the event loop once the ticket holds a slot. */
  private void startGeneration() {
    if (closed) {
      ticket.close();
      return;
    }
    generation = new ChatGeneration(ctx, request, state.options, this::complete);
    generation.start();
  }

  private void complete(HttpObject lastPart) {
    // The slot frees before the response is flushed, so a client that sees the answer also sees the slot.
    ticket.close();
    finish(lastPart);
  }

  private void releaseBody() {
    if (body != null) {
      body.release();
      body = null;
    }
  }
}
