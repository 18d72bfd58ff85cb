package dev.spillway.server.mock;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import dev.spillway.server.mock.engine.EngineMetricsText;
import dev.spillway.server.mock.engine.LlmEngine;
import dev.spillway.server.mock.engine.MetricsFlavor;
import io.netty.util.AsciiString;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whole responses of the mock: OpenAI-shaped errors, the model list and small JSON answers.
 *
 * <p>Bodies that never change are encoded once into unreleasable buffers; each response gets a
 * {@code duplicate()} of one, so sending it costs no encoding and releasing it is harmless.
 */
final class MockResponses {
  /** Shared by all event loops; an ObjectMapper is thread-safe once configured. */
  static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  static final AsciiString APPLICATION_JSON = AsciiString.cached("application/json");
  static final String MODEL_ID = "mock-gpt";

  private static final ByteBuf OVERLOADED = constant(errorJson(
      "That model is currently overloaded with other requests. You can retry your request, or contact us "
          + "through our help center at help.openai.com if the error persists.", "server_error", null));
  /** Text Generation Inference's answer when its queue is full (HTTP 429). */
  private static final ByteBuf TGI_OVERLOADED = constant(
      "{\"error\":\"Model is overloaded\",\"error_type\":\"overloaded\"}".getBytes(UTF_8));
  private static final ByteBuf INVALID_JSON = constant(errorJson(
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your "
          + "HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid "
          + "JSON.)", "invalid_request_error", null));
  private static final ByteBuf TOO_LARGE = constant(errorJson(
      "Request body too large (expected: at most " + JsonBody.MAX_BYTES + " bytes).",
      "invalid_request_error", null));
  private static final ByteBuf BAD_REQUEST = constant(errorJson(
      "The request could not be parsed as HTTP/1.1.", "invalid_request_error", null));
  private static final ByteBuf MODELS = constant(toJson(modelList(MODEL_ID)));

  private MockResponses() {}

  /** 503 for a full queue, with {@code Retry-After: 1} as OpenAI sends it. */
  static FullHttpResponse overloaded() {
    FullHttpResponse response = json(HttpResponseStatus.SERVICE_UNAVAILABLE, OVERLOADED.duplicate());
    response.headers().set(HttpHeaderNames.RETRY_AFTER, 1);
    return response;
  }

  /**
   * The simulated engine's waiting queue is full: TGI's 429 "Model is overloaded" for {@code tgi}, else the
   * same 503 as {@link #overloaded()} (what an OpenAI-compatible server in front of vLLM or SGLang sends).
   */
  static FullHttpResponse engineOverloaded(MetricsFlavor flavor) {
    if (flavor == MetricsFlavor.TGI) {
      return json(HttpResponseStatus.TOO_MANY_REQUESTS, TGI_OVERLOADED.duplicate());
    }
    return overloaded();
  }

  /** 400 in vLLM's words for a request whose prompt and answer exceed what the engine can ever hold. */
  static FullHttpResponse contextTooLong(int maxTokens, int promptTokens, int answerTokens) {
    return error(HttpResponseStatus.BAD_REQUEST, "This model's maximum context length is " + maxTokens
        + " tokens. However, you requested " + ((long) promptTokens + answerTokens) + " tokens (" + promptTokens
        + " in the messages, " + answerTokens + " in the completion). Please reduce the length of the messages "
        + "or completion.", "invalid_request_error", "messages");
  }

  /** The engine's metrics in the Prometheus text format. */
  static FullHttpResponse metrics(LlmEngine engine) {
    ByteBuf body = Unpooled.wrappedBuffer(EngineMetricsText.render(engine.options(), engine.stats())
        .getBytes(UTF_8));
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, EngineMetricsText.CONTENT_TYPE)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
    return response;
  }

  static FullHttpResponse invalidJson() {
    return json(HttpResponseStatus.BAD_REQUEST, INVALID_JSON.duplicate());
  }

  /** 413; the connection closes after it because the rest of the body is not worth reading. */
  static FullHttpResponse tooLarge() {
    FullHttpResponse response = json(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, TOO_LARGE.duplicate());
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    return response;
  }

  /** 400 for a request the decoder rejected; the connection closes after it. */
  static FullHttpResponse undecodable() {
    FullHttpResponse response = json(HttpResponseStatus.BAD_REQUEST, BAD_REQUEST.duplicate());
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    return response;
  }

  static FullHttpResponse models() {
    return json(HttpResponseStatus.OK, MODELS.duplicate());
  }

  static FullHttpResponse notFound(String method, String path) {
    return error(HttpResponseStatus.NOT_FOUND, "Invalid URL (" + method + " " + path + ")",
        "invalid_request_error", null);
  }

  static FullHttpResponse methodNotAllowed(String method, String path, String allow) {
    FullHttpResponse response = error(HttpResponseStatus.METHOD_NOT_ALLOWED,
        "Invalid method for URL (" + method + " " + path + ")", "invalid_request_error", null);
    response.headers().set(HttpHeaderNames.ALLOW, allow);
    return response;
  }

  /** An OpenAI-shaped error with a message known only at request time. */
  static FullHttpResponse error(HttpResponseStatus status, String message, String type, String param) {
    return json(status, Unpooled.wrappedBuffer(errorJson(message, type, param)));
  }

  static FullHttpResponse health(int inFlight, int queued) {
    String body = "{\"status\":\"ok\",\"inFlight\":" + inFlight + ",\"queued\":" + queued + "}";
    return json(HttpResponseStatus.OK, Unpooled.wrappedBuffer(body.getBytes(UTF_8)));
  }

  /** A Content-Length framed JSON response owning {@code body}. */
  static FullHttpResponse json(HttpResponseStatus status, ByteBuf body) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, APPLICATION_JSON)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
    return response;
  }

  static byte[] toJson(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] errorJson(String message, String type, String param) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("message", message);
    error.put("type", type);
    error.put("param", param);
    error.put("code", null);
    return toJson(Map.of("error", error));
  }

  private static Map<String, Object> modelList(String id) {
    Map<String, Object> list = new LinkedHashMap<>();
    list.put("object", "list");
    list.put("data", List.of(modelEntry(id)));
    return list;
  }

  private static Map<String, Object> modelEntry(String id) {
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("id", id);
    model.put("object", "model");
    model.put("created", System.currentTimeMillis() / 1000);
    model.put("owned_by", "spillway-mock");
    return model;
  }

  private static ByteBuf constant(byte[] bytes) {
    return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(bytes));
  }
}
