package dev.spillway.core.admission.reject;

import dev.spillway.core.admission.ratelimit.RateDecision;
import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.admission.ratelimit.RateLimitStatus;
import dev.spillway.core.admission.ratelimit.RateLimitStatus.UnitStatus;
import dev.spillway.core.config.RejectionConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * The OpenAI-shaped JSON bodies of rejections ({@code {"error":{"message","type","param","code"}}}, see
 * shared/AI-API.md §2), encoded once from a {@link RejectionConfig}:
 *
 * <ul>
 *   <li>rate limits: {@code type} {@code requests} or {@code tokens}, {@code code} {@code rate_limit_exceeded};
 *       the configured message is followed by the specifics of this rejection, e.g.
 *       {@code (requests: limit 60, remaining 0; try again in 1.2s)}, so the body is the shared prefix, those
 *       few ASCII bytes, and a shared suffix;
 *   <li>capacity shedding: {@code type} {@code server_error} and {@code code} {@code null}, as OpenAI's own 503
 *       (the reason travels in a header instead); fully shared;
 *   <li>unknown key: OpenAI's 401 body for a bad key; fully shared.
 * </ul>
 * Every body ends with a newline, as the gateway's other errors do.
 */
final class RejectionBodies {
  static final String UNKNOWN_KEY_JSON = "{\"error\":{\"message\":\"Incorrect API key provided.\","
      + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}\n";

  private final byte[] rateLimitedPrefix;
  private final byte[] requestsSuffix;
  private final byte[] tokensSuffix;
  private final byte[] overloaded;
  private final byte[] unknownKey;

  RejectionBodies(RejectionConfig config) {
    this.rateLimitedPrefix = utf8("{\"error\":{\"message\":\"" + Escaping.json(config.rateLimitedMessage()));
    this.requestsSuffix = utf8(rateLimitedSuffix("requests"));
    this.tokensSuffix = utf8(rateLimitedSuffix("tokens"));
    this.overloaded = utf8("{\"error\":{\"message\":\"" + Escaping.json(config.overloadedMessage())
        + "\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n");
    this.unknownKey = utf8(UNKNOWN_KEY_JSON);
  }

  /**
   * The body for {@code reason}, wrapping the shared bytes.
   *
   * @param retryNanos the wait quoted in a rate-limit message
   */
  ByteBuf json(ShedReason reason, RateLimitStatus status, long retryNanos) {
    switch (reason) {
      case RATE_LIMITED_REQUESTS:
        return rateLimited("requests", status == null ? null : status.requests(), retryNanos, requestsSuffix);
      case RATE_LIMITED_TOKENS:
        return rateLimited("tokens", status == null ? null : status.tokens(), retryNanos, tokensSuffix);
      case UNKNOWN_KEY:
        return Unpooled.wrappedBuffer(unknownKey);
      default:
        return Unpooled.wrappedBuffer(overloaded);
    }
  }

  /**
   * The body for a request no wait would admit: OpenAI's "Request too large" message with the limit and the
   * request's estimate ({@code oversize} may be {@code null} when the limiter could not say which limit).
   */
  ByteBuf oversize(ShedReason reason, RateDecision.Oversize oversize) {
    String type = reason == ShedReason.RATE_LIMITED_REQUESTS ? "requests" : "tokens";
    StringBuilder sb = new StringBuilder(200).append("{\"error\":{\"message\":\"Request too large for this ")
        .append(type).append(" limit");
    if (oversize != null) {
      sb.append(": Limit ").append(oversize.capacity()).append(", Requested ").append(oversize.requested());
      if (oversize.unit() == dev.spillway.core.config.LimitUnit.TOKENS) {
        sb.append(" (estimated from the prompt and max_tokens)");
      }
    }
    sb.append(". No wait will make it fit: shorten the request or lower max_tokens.\",\"type\":\"").append(type)
        .append("\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}\n");
    return Unpooled.wrappedBuffer(sb.toString().getBytes(StandardCharsets.US_ASCII));
  }

  private ByteBuf rateLimited(String unitName, UnitStatus unit, long retryNanos, byte[] suffix) {
    // Only digits, fixed words and a duration string: plain ASCII that needs no JSON escaping.
    StringBuilder sb = new StringBuilder(64).append(" (");
    if (unit != null) {
      sb.append(unitName).append(": limit ").append(unit.limit())
          .append(", remaining ").append(Math.max(0, unit.remaining())).append("; ");
    }
    sb.append("try again in ").append(GoDurations.format(retryNanos)).append(')');
    byte[] specifics = sb.toString().getBytes(StandardCharsets.US_ASCII);
    return Unpooled.wrappedBuffer(3, rateLimitedPrefix, specifics, suffix);
  }

  private static String rateLimitedSuffix(String type) {
    return "\",\"type\":\"" + type + "\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}\n";
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  byte[] rateLimitedPrefix() {
    return rateLimitedPrefix;
  }

  byte[] overloaded() {
    return overloaded;
  }
}
