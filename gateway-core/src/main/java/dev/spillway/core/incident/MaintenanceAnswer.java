package dev.spillway.core.incident;

import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.admission.reject.RejectionResponses;
import dev.spillway.core.admission.reject.RejectionShape;
import dev.spillway.core.http.ProxyHeaders;
import dev.spillway.core.llm.JsonStrings;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * The answer of a route in maintenance: 503 with the operator's text as the error message, in OpenAI's error
 * shape or Anthropic's, {@code x-spillway-shed-reason: maintenance}, and {@code Retry-After} (seconds) and
 * {@code retry-after-ms} when the operator gave a delay. Bodies are encoded once, when the operator sets the
 * mode; an answer wraps those shared bytes. Thread-safe.
 */
final class MaintenanceAnswer {
  private final byte[] openAi;
  private final byte[] anthropic;
  private final String retryAfter;
  private final String retryAfterMs;

  /** @param retryAfterSeconds the delay to announce, or {@code 0} for none */
  MaintenanceAnswer(String message, long retryAfterSeconds) {
    String text = JsonStrings.escape(message);
    this.openAi = ("{\"error\":{\"message\":\"" + text + "\",\"type\":\"server_error\",\"param\":null,"
        + "\"code\":\"maintenance\"}}\n").getBytes(StandardCharsets.UTF_8);
    this.anthropic = ("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"" + text
        + "\"}}\n").getBytes(StandardCharsets.UTF_8);
    this.retryAfter = retryAfterSeconds > 0 ? Long.toString(retryAfterSeconds) : null;
    this.retryAfterMs = retryAfterSeconds > 0 ? Long.toString(retryAfterSeconds * 1000) : null;
  }

  FullHttpResponse build(RejectionShape shape, HttpVersion version, String requestId, boolean close) {
    byte[] body = shape == RejectionShape.ANTHROPIC ? anthropic : openAi;
    FullHttpResponse response = new DefaultFullHttpResponse(version, HttpResponseStatus.SERVICE_UNAVAILABLE,
        Unpooled.wrappedBuffer(body));
    HttpHeaders h = response.headers();
    h.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    h.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    h.set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
    h.set(RejectionResponses.SHED_REASON, ShedReason.MAINTENANCE.tag());
    if (requestId != null) {
      h.set(ProxyHeaders.X_REQUEST_ID, requestId);
    }
    if (retryAfter != null) {
      h.set(HttpHeaderNames.RETRY_AFTER, retryAfter);
      h.set(RejectionResponses.RETRY_AFTER_MS, retryAfterMs);
    }
    if (close) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (version == HttpVersion.HTTP_1_0) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    return response;
  }
}
