package dev.spillway.core.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;

/**
 * Every error the gateway itself answers with, with its HTTP status and its OpenAI-shaped body
 * ({@code {"error":{"message","type","param","code"}}}, see shared/AI-API.md). Bodies are encoded once, so
 * answering an error allocates nothing but the response object.
 */
public enum GatewayError {
  BAD_REQUEST(HttpResponseStatus.BAD_REQUEST, "invalid_request_error", "bad_request",
      "The request could not be parsed as HTTP/1.1."),
  AMBIGUOUS_FRAMING(HttpResponseStatus.BAD_REQUEST, "invalid_request_error", "bad_request",
      "The request's body framing is ambiguous (Content-Length and Transfer-Encoding disagree or repeat)."),
  INVALID_TARGET(HttpResponseStatus.BAD_REQUEST, "invalid_request_error", "bad_request",
      "The request target is malformed, or its path holds an encoded slash, a backslash or a control character."),
  MISSING_HOST(HttpResponseStatus.BAD_REQUEST, "invalid_request_error", "bad_request",
      "An HTTP/1.1 request must carry exactly one Host header."),
  UNSUPPORTED_TRANSFER_CODING(HttpResponseStatus.BAD_REQUEST, "invalid_request_error", "bad_request",
      "Only the chunked transfer coding is supported."),
  METHOD_NOT_ALLOWED(HttpResponseStatus.METHOD_NOT_ALLOWED, "invalid_request_error", "method_not_allowed",
      "This gateway does not support the CONNECT method."),
  TRACE_NOT_ALLOWED(HttpResponseStatus.METHOD_NOT_ALLOWED, "invalid_request_error", "method_not_allowed",
      "This gateway does not forward the TRACE method."),
  ROUTE_NOT_FOUND(HttpResponseStatus.NOT_FOUND, "invalid_request_error", "route_not_found",
      "No route matches this request."),
  REQUEST_TIMEOUT(HttpResponseStatus.REQUEST_TIMEOUT, "invalid_request_error", "request_timeout",
      "The client took too long to send the request."),
  PAYLOAD_TOO_LARGE(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "invalid_request_error", "request_too_large",
      "The request body is larger than this gateway accepts."),
  URI_TOO_LONG(HttpResponseStatus.REQUEST_URI_TOO_LONG, "invalid_request_error", "uri_too_long",
      "The request line is longer than this gateway accepts."),
  TOO_MANY_HEADERS(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "invalid_request_error",
      "headers_too_large", "The request has more header fields than this gateway accepts."),
  HTTP_VERSION_NOT_SUPPORTED(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "invalid_request_error",
      "http_version_not_supported", "This gateway speaks HTTP/1.1 and HTTP/1.0 only."),
  HEADERS_TOO_LARGE(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "invalid_request_error",
      "headers_too_large", "The request headers are larger than this gateway accepts."),
  UPSTREAM_CONNECT_FAILED(HttpResponseStatus.BAD_GATEWAY, "server_error", "upstream_connect_error",
      "The gateway could not connect to the backend."),
  UPSTREAM_RESET(HttpResponseStatus.BAD_GATEWAY, "server_error", "upstream_reset",
      "The backend closed the connection before sending a complete response."),
  UPSTREAM_PROTOCOL_ERROR(HttpResponseStatus.BAD_GATEWAY, "server_error", "upstream_protocol_error",
      "The backend sent a response the gateway could not parse."),
  UPSTREAM_CONNECT_TIMEOUT(HttpResponseStatus.GATEWAY_TIMEOUT, "server_error", "upstream_timeout",
      "The gateway timed out connecting to the backend."),
  UPSTREAM_RESPONSE_TIMEOUT(HttpResponseStatus.GATEWAY_TIMEOUT, "server_error", "upstream_timeout",
      "The backend did not start its response in time."),
  UPSTREAM_IDLE_TIMEOUT(HttpResponseStatus.GATEWAY_TIMEOUT, "server_error", "upstream_timeout",
      "The backend stopped sending data for too long."),
  REQUEST_DEADLINE_EXCEEDED(HttpResponseStatus.GATEWAY_TIMEOUT, "server_error", "upstream_timeout",
      "The request exceeded its total time limit."),
  UPSTREAM_UNAVAILABLE(HttpResponseStatus.SERVICE_UNAVAILABLE, "server_error", "upstream_unavailable",
      "Every backend tried is overloaded or unavailable. Please retry shortly."),
  NO_AVAILABLE_ENDPOINT(HttpResponseStatus.SERVICE_UNAVAILABLE, "server_error", "no_available_backend",
      "No backend endpoint is available right now. Please retry shortly."),
  UPSTREAM_POOL_EXHAUSTED(HttpResponseStatus.SERVICE_UNAVAILABLE, "server_error", "upstream_overflow",
      "The gateway has no free connection to the backend. Please retry shortly."),
  SHUTTING_DOWN(HttpResponseStatus.SERVICE_UNAVAILABLE, "server_error", "shutting_down",
      "The gateway is shutting down. Please retry.");

  private final HttpResponseStatus status;
  private final String type;
  private final String code;
  private final String message;
  private final byte[] jsonBody;
  private final byte[] sseEvent;

  GatewayError(HttpResponseStatus status, String type, String code, String message) {
    this.status = status;
    this.type = type;
    this.code = code;
    this.message = message;
    String json = "{\"error\":{\"message\":\"" + message + "\",\"type\":\"" + type
        + "\",\"param\":null,\"code\":\"" + code + "\"}}";
    this.jsonBody = (json + "\n").getBytes(StandardCharsets.UTF_8);
    this.sseEvent = ("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The answer when no backend connection could be had.
   *
   * @param poolExhausted the pool was at its limit (no connect was tried)
   */
  public static GatewayError forConnectFailure(Throwable cause, boolean poolExhausted) {
    if (poolExhausted) {
      return UPSTREAM_POOL_EXHAUSTED;
    }
    return cause instanceof io.netty.channel.ConnectTimeoutException ? UPSTREAM_CONNECT_TIMEOUT
        : UPSTREAM_CONNECT_FAILED;
  }

  public HttpResponseStatus status() {
    return status;
  }

  public String type() {
    return type;
  }

  public String code() {
    return code;
  }

  public String message() {
    return message;
  }

  /** The JSON error body, shared: never modify it. */
  byte[] jsonBody() {
    return jsonBody;
  }

  /** The same error as one SSE event ({@code data: {...}\n\n}), to end a stream that already started. */
  byte[] sseEvent() {
    return sseEvent;
  }
}
