package dev.spillway.core.upstream.resilience;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.time.Clock;

/**
 * Reads from an upstream response how long its endpoint asked to be left alone, and how much rate-limit
 * headroom it reports.
 *
 * <p>Only {@code 429}, {@code 503} and {@code 529} (Anthropic's "overloaded") pause an endpoint. The first
 * readable of these wins, most explicit first: {@code retry-after-ms}, {@code Retry-After} (which the IETF
 * RateLimit draft gives precedence over everything else), then OpenAI's {@code x-ratelimit-reset-requests} /
 * {@code -tokens}, then Anthropic's {@code anthropic-ratelimit-*-reset} (RFC 3339 times). Of OpenAI's two
 * resets, those whose matching {@code x-ratelimit-remaining-*} is 0 or absent apply and the longest of them is
 * taken; if both report headroom left (the request was just too big), the shorter reset is taken. Anthropic's
 * resets follow the same rule with their {@code anthropic-ratelimit-*-remaining}.
 */
public final class UpstreamPause {
  /** No pause asked for. */
  public static final long NONE = -1;
  /** Headroom not reported. */
  public static final long UNKNOWN = Long.MAX_VALUE;

  static final AsciiString RETRY_AFTER_MS = AsciiString.cached("retry-after-ms");
  static final AsciiString RETRY_AFTER = AsciiString.cached("retry-after");
  static final AsciiString RESET_REQUESTS = AsciiString.cached("x-ratelimit-reset-requests");
  static final AsciiString RESET_TOKENS = AsciiString.cached("x-ratelimit-reset-tokens");
  static final AsciiString REMAINING_REQUESTS = AsciiString.cached("x-ratelimit-remaining-requests");
  static final AsciiString REMAINING_TOKENS = AsciiString.cached("x-ratelimit-remaining-tokens");

  private UpstreamPause() {}

  /** The pause asked for by a response, in nanoseconds, or {@link #NONE}. */
  public static long pauseNanos(int status, HttpHeaders headers, Clock wallClock) {
    if ((status != 429 && status != 503 && status != 529) || headers == null) {
      return NONE;
    }
    long ms = RetryAfter.parseMillisNanos(headers.get(RETRY_AFTER_MS));
    if (ms != RetryAfter.INVALID) {
      return ms;
    }
    long ra = RetryAfter.parseNanos(headers.get(RETRY_AFTER), wallClock);
    if (ra != RetryAfter.INVALID) {
      return ra;
    }
    long requests = GoDurationParser.parseNanos(headers.get(RESET_REQUESTS));
    long tokens = GoDurationParser.parseNanos(headers.get(RESET_TOKENS));
    if (requests == GoDurationParser.INVALID && tokens == GoDurationParser.INVALID) {
      return AnthropicRateLimits.pauseNanos(headers, wallClock);
    }
    if (requests == GoDurationParser.INVALID || tokens == GoDurationParser.INVALID) {
      return Math.max(requests, tokens);
    }
    boolean requestsOut = exhausted(headers, REMAINING_REQUESTS);
    boolean tokensOut = exhausted(headers, REMAINING_TOKENS);
    if (requestsOut && tokensOut) {
      return Math.max(requests, tokens);
    }
    if (requestsOut) {
      return requests;
    }
    if (tokensOut) {
      return tokens;
    }
    return Math.min(requests, tokens);
  }

  /** {@code x-ratelimit-remaining-requests} of any response, or {@link #UNKNOWN}. */
  public static long remainingRequests(HttpHeaders headers) {
    return headers == null ? UNKNOWN : count(headers.get(REMAINING_REQUESTS));
  }

  private static boolean exhausted(HttpHeaders headers, AsciiString name) {
    String v = headers.get(name);
    return v == null || count(v) == 0;
  }

  private static long count(String v) {
    if (v == null || v.isEmpty() || v.length() > 18) {
      return UNKNOWN;
    }
    long n = 0;
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c < '0' || c > '9') {
        return UNKNOWN;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }
}
