package dev.spillway.core.admission.reject;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.admission.ratelimit.RateLimitStatus;
import dev.spillway.core.admission.ratelimit.RateLimitStatus.Policy;
import dev.spillway.core.admission.ratelimit.RateLimitStatus.UnitStatus;
import dev.spillway.core.config.LimitUnit;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RateLimitHeadersTest {
  private static final long MS = 1_000_000L;
  private static final long S = 1_000_000_000L;

  /** RFC 8941 List of Items whose bare item is an sf-string and whose parameters are keys = sf-integer|sf-string. */
  private static final String SF_STRING = "\"(?:[\\x20\\x21\\x23-\\x5B\\x5D-\\x7E]|\\\\[\"\\\\])*\"";
  private static final String PARAM = ";[a-z*][a-z0-9_.*-]*=(?:-?\\d{1,15}|" + SF_STRING + ")";
  private static final String ITEM = SF_STRING + "(?:" + PARAM + ")*";
  private static final String SF_LIST = ITEM + "(?:, " + ITEM + ")*";

  static RateLimitStatus openAiSample() {
    return new RateLimitStatus(new UnitStatus(60, 59, S), new UnitStatus(150_000, 149_984, 360 * S), List.of(
        new Policy("rpm", LimitUnit.REQUESTS, 60, 60, 59, S),
        new Policy("tpm", LimitUnit.TOKENS, 150_000, 60, 149_984, 360 * S)));
  }

  @Test
  void writesOpenAisSixHeaders() {
    HttpHeaders h = new DefaultHttpHeaders();
    RateLimitHeaders.apply(h, openAiSample());
    assertThat(h.get("x-ratelimit-limit-requests")).isEqualTo("60");
    assertThat(h.get("x-ratelimit-remaining-requests")).isEqualTo("59");
    assertThat(h.get("x-ratelimit-reset-requests")).isEqualTo("1s");
    assertThat(h.get("x-ratelimit-limit-tokens")).isEqualTo("150000");
    assertThat(h.get("x-ratelimit-remaining-tokens")).isEqualTo("149984");
    assertThat(h.get("x-ratelimit-reset-tokens")).isEqualTo("6m0s");
  }

  @Test
  void writesOnlyTheUnitsPresentAndLeavesTheRestAlone() {
    HttpHeaders h = new DefaultHttpHeaders().add("x-ratelimit-limit-tokens", "999").add("x-ratelimit-limit-requests",
        "5");
    RateLimitHeaders.apply(h, new RateLimitStatus(new UnitStatus(10, 0, 9_816 * MS), null, List.of()));
    assertThat(h.getAll("x-ratelimit-limit-requests")).containsExactly("10");
    assertThat(h.get("x-ratelimit-reset-requests")).isEqualTo("9.816s");
    assertThat(h.get("x-ratelimit-limit-tokens")).isEqualTo("999");
    assertThat(h.contains("x-ratelimit-remaining-tokens")).isFalse();
    assertThat(h.contains("RateLimit")).isFalse();
    assertThat(h.contains("RateLimit-Policy")).isFalse();
  }

  @Test
  void emptyOrNullStatusAddsNothing() {
    HttpHeaders h = new DefaultHttpHeaders();
    RateLimitHeaders.apply(h, RateLimitStatus.NONE);
    RateLimitHeaders.apply(h, null);
    assertThat(h.isEmpty()).isTrue();
  }

  @Test
  void writesIetfFieldsAsStructuredFieldLists() {
    HttpHeaders h = new DefaultHttpHeaders();
    RateLimitHeaders.apply(h, openAiSample());
    assertThat(h.get("RateLimit-Policy"))
        .isEqualTo("\"rpm\";q=60;w=60, \"tpm\";q=150000;qu=\"tokens\";w=60")
        .matches(SF_LIST);
    // rpm has 59/60 left, tpm 149984/150000: tpm is relatively fuller, so rpm constrains.
    assertThat(h.get("RateLimit")).isEqualTo("\"rpm\";r=59;t=1").matches(ITEM);
  }

  @Test
  void picksTheLeastRemainingRelativeToQuotaAndRoundsResetUp() {
    List<Policy> policies = List.of(
        new Policy("burst", LimitUnit.REQUESTS, 100, 60, 50, 30 * S),
        new Policy("daily", LimitUnit.REQUESTS, 1000, 86_400, 400, 3_600 * S + 1),
        new Policy("tokens", LimitUnit.TOKENS, 1_000_000, 60, 450_000, 2 * S));
    assertThat(RateLimitHeaders.rateLimitField(RateLimitHeaders.mostConstraining(policies)))
        .isEqualTo("\"daily\";r=400;t=3601");
    Policy exhausted = new Policy("x", LimitUnit.TOKENS, 10, 1, 0, 0);
    assertThat(RateLimitHeaders.rateLimitField(exhausted)).isEqualTo("\"x\";r=0;t=0");
  }

  @Test
  void relativeComparisonIsExactForHugeNumbers() {
    Policy a = new Policy("a", LimitUnit.TOKENS, Long.MAX_VALUE, 60, Long.MAX_VALUE - 1, S);
    Policy b = new Policy("b", LimitUnit.TOKENS, Long.MAX_VALUE - 1, 60, Long.MAX_VALUE - 2, S);
    // (M-1)/M vs (M-2)/(M-1): the second is smaller.
    assertThat(RateLimitHeaders.mostConstraining(List.of(a, b)).name()).isEqualTo("b");
    assertThat(RateLimitHeaders.mostConstraining(List.of(b, a)).name()).isEqualTo("b");
    assertThat(RateLimitHeaders.policyField(List.of(a))).isEqualTo("\"a\";q=999999999999999;qu=\"tokens\";w=60");
  }

  @Test
  void mostConstrainingAgreesWithExactArithmetic() {
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 5_000; i++) {
      List<Policy> policies = new ArrayList<>();
      int n = 1 + random.nextInt(5);
      for (int k = 0; k < n; k++) {
        long quota = 1 + random.nextLong(random.nextBoolean() ? 1_000 : Long.MAX_VALUE - 1);
        long remaining = random.nextLong(quota + 1);
        policies.add(new Policy("p" + k, LimitUnit.REQUESTS, quota, 60, remaining, S));
      }
      Policy chosen = RateLimitHeaders.mostConstraining(policies);
      for (Policy p : policies) {
        java.math.BigInteger left = java.math.BigInteger.valueOf(chosen.remaining())
            .multiply(java.math.BigInteger.valueOf(p.quota()));
        java.math.BigInteger right = java.math.BigInteger.valueOf(p.remaining())
            .multiply(java.math.BigInteger.valueOf(chosen.quota()));
        assertThat(left).isLessThanOrEqualTo(right);
      }
    }
  }

  @Test
  void escapesPolicyNamesAsSfStrings() {
    Policy odd = new Policy("tier \"gold\" \\ ünï\tx", LimitUnit.REQUESTS, 5, 1, 1, S / 2);
    String policy = RateLimitHeaders.policyField(List.of(odd));
    assertThat(policy).isEqualTo("\"tier \\\"gold\\\" \\\\ _n__x\";q=5;w=1").matches(SF_LIST);
    assertThat(RateLimitHeaders.rateLimitField(odd)).isEqualTo("\"tier \\\"gold\\\" \\\\ _n__x\";r=1;t=1")
        .matches(ITEM);
  }

  @Test
  void clampsNegativesIntoValidIntegers() {
    Policy p = new Policy("n", LimitUnit.REQUESTS, -3, 0, -1, -5);
    assertThat(RateLimitHeaders.policyField(List.of(p))).isEqualTo("\"n\";q=0;w=1");
    assertThat(RateLimitHeaders.rateLimitField(p)).isEqualTo("\"n\";r=0;t=0");
  }
}
