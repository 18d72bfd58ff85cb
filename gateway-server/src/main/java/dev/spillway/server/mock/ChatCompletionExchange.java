package dev.spillway.server.mock;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spillway.server.mock.engine.LengthSampler;
import dev.spillway.server.mock.engine.Sequence;
import dev.spillway.server.mock.engine.SequenceListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * {@code POST /v1/chat/completions}: collects the JSON body ({@link JsonBody}: at most
 * {@value JsonBody#MAX_BYTES} bytes, else 413 and close), parses it, waits for a slot of the {@link CapacityGate} (503 when the queue is full) and hands
 * the request to a {@link ChatGeneration}.
 *
 * <p>Ownership: the body is released once parsed or when the connection closes. The capacity ticket is closed exactly once: when the response completes or when the
 * connection closes, whichever comes first.
 */
final class ChatCompletionExchange extends Exchange {
  private final JsonBody body;
  private boolean closed;
  private ChatRequest request;
  private CapacityGate.Ticket ticket;
  private ChatGeneration generation;
  private Sequence sequence;
  private EngineStream engineStream;

  ChatCompletionExchange(ChannelHandlerContext ctx, MockState state, RequestRouter router, HttpRequest head) {
    super(ctx, state, router);
    this.body = new JsonBody(ctx, state, head);
  }

  @Override
  void onContent(HttpContent content, boolean last) {
    if (body.add(content, last)) {
      admit();
    }
  }

  @Override
  void onClosed() {
    closed = true;
    body.release();
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

  private void admit() {
    JsonNode json = body.parse();
    if (json == null) {
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
    generation = new ChatGeneration(ctx, request, state.latency.nextNanos(), state.options.tokensPerSecond(),
        this::complete);
    generation.start();
  }

  private void complete(HttpObject lastPart) {
    // The slot frees before the response is flushed, so a client that sees the answer also sees the slot.
    ticket.close();
    finish(lastPart);
  }
}
