package dev.spillway.core.proxy;

import dev.spillway.core.admission.RouteAdmission;
import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.admission.ratelimit.RateDecision;
import dev.spillway.core.admission.ratelimit.RateLimitStatus;
import dev.spillway.core.admission.reject.ContentNegotiation;
import dev.spillway.core.admission.reject.RejectionResponses;
import dev.spillway.core.admission.reject.RejectionShape;
import dev.spillway.core.llm.LlmApi;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;

/**
 * The answers admission gives a request it turns away, built for that request: the route's rejection
 * settings (else the gateway's), its rate-limit status, HTML or JSON as the client prefers, and the error
 * shape of the API it speaks (Anthropic's for a Messages path or an Anthropic SDK, OpenAI's otherwise).
 */
final class AdmissionAnswers {
  private static final String ANTHROPIC_VERSION = "anthropic-version";

  private final ProxyExchange exchange;
  /** The route's admission, or {@code null}: then {@link #fallback} answers. */
  private final RouteAdmission route;
  private final HttpRequest request;
  private final RejectionResponses fallback;
  private final RejectionShape shape;

  AdmissionAnswers(ProxyExchange exchange, RouteAdmission route, HttpRequest request, LlmApi api,
      RejectionResponses fallback) {
    this.exchange = exchange;
    this.route = route;
    this.request = request;
    this.fallback = fallback;
    this.shape = api == LlmApi.ANTHROPIC_MESSAGES || request.headers().contains(ANTHROPIC_VERSION)
        ? RejectionShape.ANTHROPIC : RejectionShape.OPENAI;
  }

  /**
   * Turned away for {@code reason}.
   *
   * @param decision the rate limits' decision, or {@code null} when none was taken
   */
  FullHttpResponse rejection(ShedReason reason, RateDecision decision, long retryAfterNanos,
      boolean retryPointless) {
    RateLimitStatus status = decision != null ? decision.status() : RateLimitStatus.NONE;
    RejectionResponses responses = route != null ? route.rejections() : fallback;
    return responses.build(reason, status, retryAfterNanos, retryPointless,
        ContentNegotiation.prefersHtml(request.headers()), request.protocolVersion(), exchange.requestId(),
        exchange.mustCloseAfterEarlyAnswer(), decision != null ? decision.oversize() : null, shape);
  }

  /** The route refuses keys it does not know. */
  FullHttpResponse unknownKey() {
    return route.rejections().build(ShedReason.UNKNOWN_KEY, RateLimitStatus.NONE, 0, true,
        ContentNegotiation.prefersHtml(request.headers()), request.protocolVersion(), exchange.requestId(),
        exchange.mustCloseAfterEarlyAnswer(), null, shape);
  }

  /** The operator's maintenance answer for the route, or {@code null} when it has none. */
  FullHttpResponse maintenance() {
    return exchange.overrides().maintenanceAnswer(exchange.routeName(), shape, request.protocolVersion(),
        exchange.requestId(), exchange.mustCloseAfterEarlyAnswer());
  }
}
