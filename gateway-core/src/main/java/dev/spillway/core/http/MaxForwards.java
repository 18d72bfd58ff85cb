package dev.spillway.core.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;

/**
 * {@code Max-Forwards} (RFC 9110 §7.6.2): on {@code OPTIONS} (and {@code TRACE}, which the gateway never
 * forwards) each intermediary decrements it, and one that receives 0 answers the request itself. Other methods
 * ignore it. A value that is not a number is left alone: the field is advisory and the request still goes on.
 */
public final class MaxForwards {
  private MaxForwards() {}

  /** Whether {@code request} carries {@code Max-Forwards: 0}. */
  public static boolean isExhausted(HttpRequest request) {
    return value(request.headers()) == 0;
  }

  /** Decrements the value of an {@code OPTIONS} request going upstream. */
  public static void decrement(HttpMethod method, HttpHeaders headers) {
    if (!HttpMethod.OPTIONS.equals(method)) {
      return;
    }
    long v = value(headers);
    if (v > 0) {
      headers.set(HttpHeaderNames.MAX_FORWARDS, Long.toString(v - 1));
    }
  }

  /** The value, or -1 when absent or not a non-negative integer. */
  static long value(HttpHeaders headers) {
    String v = headers.get(HttpHeaderNames.MAX_FORWARDS);
    if (v == null) {
      return -1;
    }
    long n = RequestFraming.parseContentLength(v);
    return n;
  }
}
