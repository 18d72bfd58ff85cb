package dev.spillway.core.admission.reject;

import dev.spillway.core.admission.ratelimit.RateLimitStatus;
import dev.spillway.core.admission.ratelimit.RateLimitStatus.Policy;
import dev.spillway.core.admission.ratelimit.RateLimitStatus.UnitStatus;
import dev.spillway.core.config.LimitUnit;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * Writes a tenant's rate-limit state into a response, admitted or rejected, in both vocabularies clients read:
 *
 * <ul>
 *   <li>OpenAI's {@code x-ratelimit-{limit,remaining,reset}-{requests,tokens}}, one triple per unit present in
 *       the status, resets as {@link GoDurations} strings ({@code 1s}, {@code 6m0s});
 *   <li>the IETF draft's Structured Fields (draft-ietf-httpapi-ratelimit-headers):
 *       {@code RateLimit-Policy: "name";q=<quota>;w=<window s>} with one list member per policy, and
 *       {@code RateLimit: "name";r=<remaining>;t=<s until reset, rounded up>} for the policy that refused
 *       the request (so that {@code t} and {@code Retry-After} agree), else the most constraining one, with
 *       the least remaining relative to its quota (the first of equals).
 * </ul>
 *
 * <p>Every number about one limit comes from one of its bandwidths ({@link RateLimitStatus.UnitStatus}), so a
 * limit of {@code 600/min} and {@code 20/s} never mixes the 600 with the 20's remaining.
 *
 * <p>Token policies carry {@code qu="tokens"}: the draft registers no token unit, but leaving {@code qu} out
 * would declare the default unit {@code requests} and misstate the quota, whereas an unknown string value is
 * legal Structured Fields syntax that a reader can recognise or skip.
 *
 * <p>Fields are {@code set}, so the gateway's numbers replace a backend's for the units the status covers;
 * units it does not cover are left as the backend sent them. Policy names become {@code sf-string}s: {@code "}
 * and {@code \} are escaped and characters outside printable ASCII, which an {@code sf-string} cannot hold,
 * become {@code _}.
 */
public final class RateLimitHeaders {
  public static final AsciiString LIMIT_REQUESTS = AsciiString.cached("x-ratelimit-limit-requests");
  public static final AsciiString REMAINING_REQUESTS = AsciiString.cached("x-ratelimit-remaining-requests");
  public static final AsciiString RESET_REQUESTS = AsciiString.cached("x-ratelimit-reset-requests");
  public static final AsciiString LIMIT_TOKENS = AsciiString.cached("x-ratelimit-limit-tokens");
  public static final AsciiString REMAINING_TOKENS = AsciiString.cached("x-ratelimit-remaining-tokens");
  public static final AsciiString RESET_TOKENS = AsciiString.cached("x-ratelimit-reset-tokens");
  public static final AsciiString RATELIMIT_POLICY = AsciiString.cached("ratelimit-policy");
  public static final AsciiString RATELIMIT = AsciiString.cached("ratelimit");

  private static final long NANOS_PER_SECOND = 1_000_000_000L;
  private static final long MAX_SF_INTEGER = 999_999_999_999_999L;

  private RateLimitHeaders() {}

  /** Adds the fields for {@code status} to {@code headers}; a {@code null} or empty status adds nothing. */
  public static void apply(HttpHeaders headers, RateLimitStatus status) {
    if (status == null) {
      return;
    }
    UnitStatus requests = status.requests();
    if (requests != null) {
      setUnit(headers, requests, LIMIT_REQUESTS, REMAINING_REQUESTS, RESET_REQUESTS);
    }
    UnitStatus tokens = status.tokens();
    if (tokens != null) {
      setUnit(headers, tokens, LIMIT_TOKENS, REMAINING_TOKENS, RESET_TOKENS);
    }
    List<Policy> policies = status.policies();
    if (!policies.isEmpty()) {
      headers.set(RATELIMIT_POLICY, policyField(policies));
      headers.set(RATELIMIT, rateLimitField(status.binding() != null ? status.binding()
          : mostConstraining(policies)));
    }
  }

  private static void setUnit(HttpHeaders headers, UnitStatus unit, AsciiString limit, AsciiString remaining,
      AsciiString reset) {
    headers.set(limit, Long.toString(sfInteger(unit.limit())));
    headers.set(remaining, Long.toString(sfInteger(unit.remaining())));
    headers.set(reset, GoDurations.format(unit.resetNanos()));
  }

  static String policyField(List<Policy> policies) {
    StringBuilder sb = new StringBuilder(policies.size() * 32);
    for (int i = 0; i < policies.size(); i++) {
      Policy p = policies.get(i);
      if (i > 0) {
        sb.append(", ");
      }
      appendSfString(sb, p.name());
      sb.append(";q=").append(sfInteger(p.quota()));
      if (p.unit() == LimitUnit.TOKENS) {
        sb.append(";qu=\"tokens\"");
      }
      sb.append(";w=").append(Math.max(1, sfInteger(p.windowSeconds())));
    }
    return sb.toString();
  }

  static String rateLimitField(Policy p) {
    StringBuilder sb = new StringBuilder(32);
    appendSfString(sb, p.name());
    sb.append(";r=").append(sfInteger(p.remaining()));
    long seconds = p.resetNanos() <= 0 ? 0 : GoDurations.ceilDiv(p.resetNanos(), NANOS_PER_SECOND);
    sb.append(";t=").append(sfInteger(seconds));
    return sb.toString();
  }

  /** The policy with the smallest remaining/quota ratio, compared exactly in 128 bits. */
  static Policy mostConstraining(List<Policy> policies) {
    Policy best = policies.get(0);
    for (int i = 1; i < policies.size(); i++) {
      Policy p = policies.get(i);
      if (lessRelativeRemaining(p, best)) {
        best = p;
      }
    }
    return best;
  }

  /** {@code a.remaining / a.quota < b.remaining / b.quota}; a zero quota counts as nothing remaining. */
  private static boolean lessRelativeRemaining(Policy a, Policy b) {
    long ar = a.quota() <= 0 ? 0 : Math.max(0, a.remaining());
    long aq = Math.max(1, a.quota());
    long br = b.quota() <= 0 ? 0 : Math.max(0, b.remaining());
    long bq = Math.max(1, b.quota());
    // ar * bq < br * aq, as unsigned 128-bit products: both sides are non-negative.
    long leftHigh = Math.multiplyHigh(ar, bq);
    long rightHigh = Math.multiplyHigh(br, aq);
    if (leftHigh != rightHigh) {
      return leftHigh < rightHigh;
    }
    return Long.compareUnsigned(ar * bq, br * aq) < 0;
  }

  /** Clamped into RFC 8941's {@code sf-integer} range, negatives (never meaningful here) to 0. */
  static long sfInteger(long value) {
    return Math.min(Math.max(0, value), MAX_SF_INTEGER);
  }

  /** RFC 8941 §3.3.3 {@code sf-string}: printable ASCII in quotes, {@code "} and {@code \} escaped. */
  static void appendSfString(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20 || c > 0x7E) {
        sb.append('_');
      } else {
        sb.append(c);
      }
    }
    sb.append('"');
  }
}
