package dev.spillway.server.mock;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Whole responses of the {@code /debug/*} test helpers. */
final class DebugResponses {
  private DebugResponses() {}

  /**
   * The request headers as JSON, lower-cased name to every value in arrival order, so tests can see exactly
   * what a proxy added, removed or rewrote.
   */
  static FullHttpResponse headers(HttpRequest request) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (Map.Entry<String, String> header : request.headers()) {
      headers.computeIfAbsent(header.getKey().toLowerCase(Locale.ROOT), name -> new ArrayList<>(1))
          .add(header.getValue());
    }
    return MockResponses.json(HttpResponseStatus.OK, Unpooled.wrappedBuffer(MockResponses.toJson(headers)));
  }

  /** The digest of a consumed body: {@code {"bytes":N,"sha256":"<hex>"}}. */
  static FullHttpResponse digest(long bytes, String sha256Hex) {
    String body = "{\"bytes\":" + bytes + ",\"sha256\":\"" + sha256Hex + "\"}";
    return MockResponses.json(HttpResponseStatus.OK, Unpooled.wrappedBuffer(body.getBytes(US_ASCII)));
  }

  static FullHttpResponse badParameter(String param, String message) {
    return MockResponses.error(HttpResponseStatus.BAD_REQUEST, message, "invalid_request_error", param);
  }
}
