package dev.spillway.core.admission.reject;

import dev.spillway.core.admission.ratelimit.RateDecision;
import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.admission.ratelimit.RateLimitStatus;
import dev.spillway.core.config.RejectionConfig;
import dev.spillway.core.http.ProxyHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.Objects;
import java.util.function.LongUnaryOperator;

/**
 * Answers a request that admission turned away, at once and without touching a backend (see docs/at-capacity.md
 * for what clients see):
 *
 * <ul>
 *   <li>rate limits: {@link RejectionConfig#rateLimitedStatus()} (429) with OpenAI's {@code rate_limit_exceeded}
 *       error, {@code type} {@code requests} or {@code tokens}, and {@code Retry-After}/{@code retry-after-ms}
 *       set to the exact refill wait;
 *   <li>capacity shedding ({@code QUEUE_FULL}, {@code QUEUE_TIMEOUT}, {@code DEADLINE_UNREACHABLE},
 *       {@code DISPLACED}): {@link RejectionConfig#overloadedStatus()} (503) with OpenAI's {@code server_error}
 *       shape, the wait jittered by {@link RetryJitter} so rejected clients spread out;
 *   <li>an unknown key: 401 with OpenAI's {@code invalid_api_key} error and no retry delay, since waiting does
 *       not fix a key.
 * </ul>
 *
 * <p>Every rejection carries the {@link RateLimitHeaders}, {@code x-spillway-shed-reason: <tag>},
 * {@code Cache-Control: no-store}, and {@code x-should-retry: false} when the caller says retrying soon is
 * pointless (otherwise no {@code x-should-retry}, so the OpenAI SDKs retry 429 and 503 as they do by default).
 * A browser ({@link ContentNegotiation#prefersHtml}) that is shed gets the {@link AtCapacityPage} with the same
 * status and headers; the 401 is always JSON, as there is nothing to count down.
 *
 * <p>All bodies are encoded once in the constructor; a rejection wraps those shared bytes and produces only the
 * small dynamic pieces (header values, the seconds on the page, a rate limit's numbers). Thread-safe.
 */
public final class RejectionResponses {
  public static final AsciiString SHED_REASON = AsciiString.cached("x-spillway-shed-reason");
  public static final AsciiString RETRY_AFTER_MS = AsciiString.cached("retry-after-ms");
  public static final AsciiString SHOULD_RETRY = AsciiString.cached("x-should-retry");

  private static final AsciiString TEXT_HTML_UTF8 = AsciiString.cached("text/html; charset=utf-8");
  private static final AsciiString BEARER = AsciiString.cached("Bearer");
  private static final AsciiString FALSE = AsciiString.cached("false");
  private static final AsciiString[] TAGS = tags();
  private static final long NANOS_PER_SECOND = 1_000_000_000L;
  private static final long NANOS_PER_MILLI = 1_000_000L;
  /** The longest {@code Retry-After} the gateway ever emits: one day (a daily quota's longest honest wait). */
  static final long MAX_RETRY_AFTER_NANOS = 86_400L * NANOS_PER_SECOND;

  private final HttpResponseStatus rateLimitedStatus;
  private final HttpResponseStatus overloadedStatus;
  private final RejectionBodies bodies;
  private final AtCapacityPage rateLimitedPage;
  private final AtCapacityPage overloadedPage;
  private final LongUnaryOperator jitter;

  public RejectionResponses(RejectionConfig config) {
    this(config, RetryJitter::jitter);
  }

  /** With a replaceable jitter, so tests can pin the capacity-shedding delay. */
  RejectionResponses(RejectionConfig config, LongUnaryOperator jitter) {
    Objects.requireNonNull(config, "config");
    this.rateLimitedStatus = HttpResponseStatus.valueOf(config.rateLimitedStatus());
    this.overloadedStatus = HttpResponseStatus.valueOf(config.overloadedStatus());
    this.bodies = new RejectionBodies(config);
    this.rateLimitedPage = new AtCapacityPage("Too many requests", config.rateLimitedMessage(),
        config.rateLimitedStatus());
    this.overloadedPage = new AtCapacityPage("At capacity", config.overloadedMessage(),
        config.overloadedStatus());
    this.jitter = jitter;
  }

  /**
   * A complete response ready to write; the writer (normally the HTTP encoder) releases it.
   *
   * @param status the tenant's limits for the rate-limit headers; {@code null} or {@link RateLimitStatus#NONE}
   *     when the route has none
   * @param retryAfterNanos for a rate limit the exact time until the bucket can cover the request; for capacity
   *     shedding the un-jittered base delay, which this method jitters; ignored for an unknown key
   * @param retryPointless adds {@code x-should-retry: false} (quota exhausted for long, unknown key)
   * @param wantsHtml the result of {@link ContentNegotiation#prefersHtml} for the request
   * @param requestId echoed in {@code x-request-id}, or {@code null}
   * @param close whether to add {@code Connection: close}
   */
  public FullHttpResponse build(ShedReason reason, RateLimitStatus status, long retryAfterNanos,
      boolean retryPointless, boolean wantsHtml, HttpVersion version, String requestId, boolean close) {
    return build(reason, status, retryAfterNanos, retryPointless, wantsHtml, version, requestId, close, null);
  }

  /**
   * Like the other {@code build}, for a rate-limit rejection that may be {@code oversize}: a request no wait
   * would admit gets a JSON 429 naming the limit and its estimate, {@code x-should-retry: false} and no
   * {@code Retry-After} (the OpenAI SDKs would otherwise retry it, and there is no honest delay to give).
   *
   * @param oversize the limit the request can never fit, or {@code null}
   */
  public FullHttpResponse build(ShedReason reason, RateLimitStatus status, long retryAfterNanos,
      boolean retryPointless, boolean wantsHtml, HttpVersion version, String requestId, boolean close,
      RateDecision.Oversize oversize) {
    Objects.requireNonNull(reason, "reason");
    boolean shed = reason != ShedReason.UNKNOWN_KEY;
    boolean never = shed && reason.isRateLimit() && (oversize != null || retryAfterNanos == RateDecision.NEVER);
    long waitNanos;
    if (!shed || never) {
      waitNanos = 0;
    } else if (reason.isRateLimit()) {
      waitNanos = Math.min(MAX_RETRY_AFTER_NANOS, Math.max(0, retryAfterNanos));
    } else {
      waitNanos = Math.min(MAX_RETRY_AFTER_NANOS, jitter.applyAsLong(retryAfterNanos));
    }
    long retrySeconds = Math.max(1, GoDurations.ceilDiv(Math.max(1, waitNanos), NANOS_PER_SECOND));

    boolean html = shed && wantsHtml && !never;
    ByteBuf body = html
        ? (reason.isRateLimit() ? rateLimitedPage : overloadedPage).render(retrySeconds)
        : never ? bodies.oversize(reason, oversize)
        : bodies.json(reason, status, waitNanos);
    FullHttpResponse response = new DefaultFullHttpResponse(version, statusOf(reason), body);
    HttpHeaders h = response.headers();
    h.set(HttpHeaderNames.CONTENT_TYPE, html ? TEXT_HTML_UTF8 : HttpHeaderValues.APPLICATION_JSON);
    h.setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
    h.set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
    if (requestId != null) {
      h.set(ProxyHeaders.X_REQUEST_ID, requestId);
    }
    RateLimitHeaders.apply(h, status);
    h.set(SHED_REASON, TAGS[reason.ordinal()]);
    if (shed && !never) {
      // The answer depends on Accept; say so even though no-store keeps caches out of it.
      h.set(HttpHeaderNames.VARY, HttpHeaderNames.ACCEPT);
      h.set(HttpHeaderNames.RETRY_AFTER, Long.toString(retrySeconds));
      h.set(RETRY_AFTER_MS, Long.toString(Math.max(1, GoDurations.ceilDiv(Math.max(1, waitNanos),
          NANOS_PER_MILLI))));
    } else if (!shed) {
      // RFC 9110 §15.5.2: a 401 names the scheme it wants.
      h.set(HttpHeaderNames.WWW_AUTHENTICATE, BEARER);
    }
    if (retryPointless || never) {
      h.set(SHOULD_RETRY, FALSE);
    }
    if (close) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (version == HttpVersion.HTTP_1_0) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    return response;
  }

  private HttpResponseStatus statusOf(ShedReason reason) {
    if (reason == ShedReason.UNKNOWN_KEY) {
      return HttpResponseStatus.UNAUTHORIZED;
    }
    return reason.isRateLimit() ? rateLimitedStatus : overloadedStatus;
  }

  private static AsciiString[] tags() {
    ShedReason[] reasons = ShedReason.values();
    AsciiString[] tags = new AsciiString[reasons.length];
    for (ShedReason r : reasons) {
      tags[r.ordinal()] = AsciiString.cached(r.tag());
    }
    return tags;
  }

  RejectionBodies bodies() {
    return bodies;
  }

  AtCapacityPage page(boolean rateLimited) {
    return rateLimited ? rateLimitedPage : overloadedPage;
  }
}
