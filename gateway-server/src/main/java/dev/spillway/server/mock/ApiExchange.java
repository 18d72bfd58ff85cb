package dev.spillway.server.mock;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spillway.core.llm.LlmApi;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /v1/responses}, {@code /v1/completions}, {@code /v1/embeddings} and {@code /v1/messages}: collects
 * the JSON body ({@link JsonBody}: at most {@value JsonBody#MAX_BYTES} bytes, else 413 and close), parses it
 * ({@link ApiRequest}), waits for a slot of the {@link CapacityGate} and hands the request to an
 * {@link ApiGeneration}. Errors take the API's shape: OpenAI's for the OpenAI paths; Anthropic's
 * ({@code {"type":"error","error":{"type","message"}}}, 529 {@code overloaded_error} for a full queue) for
 * {@code /v1/messages}.
 *
 * <p>Ownership: the body is released once parsed or when the connection closes. The capacity ticket is closed exactly once: when the response completes or when the
 * connection closes, whichever comes first.
 */
final class ApiExchange extends Exchange {
  private static final HttpResponseStatus OVERLOADED_529 = new HttpResponseStatus(529, "Overloaded");

  private final LlmApi api;
  private final JsonBody body;
  private boolean closed;
  private ApiRequest request;
  private CapacityGate.Ticket ticket;
  private ApiGeneration generation;

  ApiExchange(ChannelHandlerContext ctx, MockState state, RequestRouter router, HttpRequest head, LlmApi api) {
    super(ctx, state, router);
    this.api = api;
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
    if (ticket != null) {
      ticket.close();
    }
  }

  private void admit() {
    JsonNode json = body.parse();
    if (json == null) {
      finish(invalid("We could not parse the JSON body of your request.", null));
      return;
    }
    try {
      request = ApiRequest.parse(api, json, state.options.defaultCompletionTokens());
    } catch (ChatRequest.InvalidRequestException e) {
      finish(invalid(e.getMessage(), e.param()));
      return;
    }
    ticket = new CapacityGate.Ticket(state.gate, ctx.executor(), this::startGeneration);
    switch (state.gate.enter(ticket)) {
      case GRANTED -> startGeneration();
      case QUEUED -> { }
      case REJECTED -> {
        state.rejected.increment();
        finish(overloaded());
      }
    }
  }

  private FullHttpResponse invalid(String message, String param) {
    if (api == LlmApi.ANTHROPIC_MESSAGES) {
      return anthropicError(HttpResponseStatus.BAD_REQUEST, "invalid_request_error", message);
    }
    return MockResponses.error(HttpResponseStatus.BAD_REQUEST, message, "invalid_request_error", param);
  }

  private FullHttpResponse overloaded() {
    if (api != LlmApi.ANTHROPIC_MESSAGES) {
      return MockResponses.overloaded();
    }
    FullHttpResponse response = anthropicError(OVERLOADED_529, "overloaded_error", "Overloaded");
    response.headers().set(HttpHeaderNames.RETRY_AFTER, 1);
    return response;
  }

  /** Anthropic's error body: {@code {"type":"error","error":{"type":…,"message":…}}}. */
  static FullHttpResponse anthropicError(HttpResponseStatus status, String type, String message) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("type", type);
    error.put("message", message);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", "error");
    body.put("error", error);
    return MockResponses.json(status, Unpooled.wrappedBuffer(MockResponses.toJson(body)));
  }

  /** Runs on the event loop once the ticket holds a slot. */
  private void startGeneration() {
    if (closed) {
      ticket.close();
      return;
    }
    generation = new ApiGeneration(ctx, request, state.latency.nextNanos(), state.options.tokensPerSecond(),
        this::complete);
    generation.start();
  }

  private void complete(HttpObject lastPart) {
    // The slot frees before the response is flushed, so a client that sees the answer also sees the slot.
    ticket.close();
    finish(lastPart);
  }
}
