package dev.spillway.core.admission.reject;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;

/**
 * Decides whether a turned-away client is a browser that should see the HTML "at capacity" page rather than
 * the JSON error.
 *
 * <p>The rule: the {@code Accept} media ranges (all {@code Accept} fields together, RFC 9110 §12.5.1) are
 * read with their {@code q} weights; the client prefers HTML when {@code text/html} is listed explicitly with
 * a weight above zero, no range has a higher weight, and no range that admits JSON ({@code application/json},
 * {@code application/*}, {@code *}{@code /*}) has the same weight. So browsers
 * ({@code text/html,application/xhtml+xml,...,*}{@code /*;q=0.8}) get HTML, while curl's bare
 * {@code *}{@code /*}, the SDKs' {@code application/json}, a tie such as {@code application/json, text/html},
 * a missing header and unparsable weights all get JSON: when in doubt, answer like an API.
 */
public final class ContentNegotiation {
  private static final int NOT_LISTED = -1;

  private ContentNegotiation() {}

  /** Whether the request's {@code Accept} header ranks {@code text/html} first; see the class comment. */
  public static boolean prefersHtml(HttpHeaders requestHeaders) {
    List<String> accepts = requestHeaders.getAll(HttpHeaderNames.ACCEPT);
    if (accepts.isEmpty()) {
      return false;
    }
    int html = NOT_LISTED;
    int json = NOT_LISTED;
    int other = NOT_LISTED;
    for (int i = 0; i < accepts.size(); i++) {
      String value = accepts.get(i);
      int start = 0;
      while (start <= value.length()) {
        int end = value.indexOf(',', start);
        if (end < 0) {
          end = value.length();
        }
        int semi = value.indexOf(';', start);
        int typeEnd = semi < 0 || semi > end ? end : semi;
        int q = typeEnd == end ? 1000 : weight(value, typeEnd, end);
        int ts = skipSpace(value, start, typeEnd);
        int te = trimEnd(value, ts, typeEnd);
        if (is(value, ts, te, "text/html")) {
          html = Math.max(html, q);
        } else if (is(value, ts, te, "application/json") || is(value, ts, te, "application/*")
            || is(value, ts, te, "*/*")) {
          json = Math.max(json, q);
        } else if (te > ts) {
          other = Math.max(other, q);
        }
        start = end + 1;
      }
    }
    return html > 0 && html >= other && html > json;
  }

  /**
   * The {@code q} parameter among {@code ;params} in {@code [from, to)}, in thousandths; 1000 when absent,
   * {@link #NOT_LISTED} when malformed, so a broken range counts as not listed at all.
   */
  private static int weight(String s, int from, int to) {
    int i = from;
    while (i < to) {
      int next = s.indexOf(';', i + 1);
      if (next < 0 || next > to) {
        next = to;
      }
      int ps = skipSpace(s, i + 1, next);
      int pe = trimEnd(s, ps, next);
      if (pe - ps >= 2 && (s.charAt(ps) == 'q' || s.charAt(ps) == 'Q') && s.charAt(ps + 1) == '=') {
        return qvalue(s, ps + 2, pe);
      }
      i = next;
    }
    return 1000;
  }

  /** RFC 9110 {@code qvalue}: {@code 0[.ddd]} or {@code 1[.000]}, in thousandths. */
  private static int qvalue(String s, int from, int to) {
    if (from >= to) {
      return NOT_LISTED;
    }
    char first = s.charAt(from);
    if (first != '0' && first != '1') {
      return NOT_LISTED;
    }
    int thousandths = 0;
    int digits = 0;
    if (from + 1 < to) {
      if (s.charAt(from + 1) != '.' || to - (from + 2) > 3) {
        return NOT_LISTED;
      }
      for (int i = from + 2; i < to; i++) {
        char c = s.charAt(i);
        if (c < '0' || c > '9') {
          return NOT_LISTED;
        }
        thousandths = thousandths * 10 + (c - '0');
        digits++;
      }
    }
    for (; digits < 3; digits++) {
      thousandths *= 10;
    }
    int q = (first - '0') * 1000 + thousandths;
    return q > 1000 ? NOT_LISTED : q;
  }

  private static boolean is(String s, int from, int to, String mediaRange) {
    return to - from == mediaRange.length() && s.regionMatches(true, from, mediaRange, 0, mediaRange.length());
  }

  private static int skipSpace(String s, int from, int to) {
    while (from < to && (s.charAt(from) == ' ' || s.charAt(from) == '\t')) {
      from++;
    }
    return from;
  }

  private static int trimEnd(String s, int from, int to) {
    while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) {
      to--;
    }
    return to;
  }
}
