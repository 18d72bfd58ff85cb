package dev.spillway.core.admission.ratelimit;

import static dev.spillway.core.admission.ratelimit.LimiterFixtures.requests;
import static dev.spillway.core.admission.ratelimit.LimiterFixtures.shadow;
import static dev.spillway.core.admission.ratelimit.LimiterFixtures.tenant;
import static dev.spillway.core.admission.ratelimit.LimiterFixtures.tier;
import static dev.spillway.core.admission.ratelimit.LimiterFixtures.tokens;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.admission.Tenant;
import dev.spillway.core.admission.ratelimit.RateLimitStatus.Policy;
import dev.spillway.core.config.LimitUnit;
import dev.spillway.core.config.TierConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouteRateLimiterTest {
  private final LimiterFixtures fx = new LimiterFixtures();

  @Test
  void everyBandwidthOfALimitMustAllow() {
    TierConfig tier = tier(List.of(requests("rpm", "2/s", "3/1m")));
    RouteRateLimiter limiter = fx.limiter(tier, List.of());
    Tenant a = tenant("a", tier);

    assertThat(admitted(limiter, a, 5)).isEqualTo(2);
    fx.ticker.advance(Duration.ofSeconds(1));
    // The burst bandwidth refilled, but the minute bandwidth has only one left.
    assertThat(admitted(limiter, a, 5)).isEqualTo(1);
    RateDecision rejected = limiter.acquire(a, 0);
    assertThat(rejected.reason()).isEqualTo(ShedReason.RATE_LIMITED_REQUESTS);
    // 3/1m refills one request every 20 s, and 1 s of that has passed.
    assertThat(rejected.retryAfterNanos()).isEqualTo(Duration.ofSeconds(19).toNanos());
    assertThat(rejected.retryPointless()).isFalse();
  }

  @Test
  void aLimitOfSeveralBandwidthsReportsOneBandwidthsNumbers() {
    TierConfig tier = tier(List.of(requests("rpm", "600/1m", "20/s")));
    RouteRateLimiter limiter = fx.limiter(tier, List.of());
    Tenant a = tenant("a", tier);

    RateLimitStatus first = limiter.acquire(a, 0).status();
    // 19/20 left of the burst is tighter than 599/600 of the minute: all three numbers are the burst's.
    assertThat(first.requests()).isEqualTo(new RateLimitStatus.UnitStatus(20, 19,
        Duration.ofMillis(50).toNanos()));
    assertThat(policy(first, "rpm").quota()).isEqualTo(20);
    assertThat(policy(first, "rpm").windowSeconds()).isEqualTo(1);
    assertThat(first.binding().name()).isEqualTo("rpm");

    // 20 a second against a minute refilling 10 a second: the minute runs dry after about a minute.
    RateDecision refused = null;
    for (int s = 0; s < 120 && refused == null; s++) {
      fx.ticker.advance(Duration.ofSeconds(1));
      for (int i = 0; i < 20; i++) {
        RateDecision d = limiter.acquire(a, 0);
        if (!d.admitted()) {
          refused = d;
          break;
        }
      }
    }
    assertThat(refused).isNotNull();
    // Now the minute refuses: its capacity, its (empty) remaining, and its wait as the reset.
    assertThat(refused.status().requests().limit()).isEqualTo(600);
    assertThat(refused.status().requests().remaining()).isZero();
    assertThat(refused.status().requests().resetNanos()).isEqualTo(refused.retryAfterNanos());
    assertThat(refused.status().binding().resetNanos()).isEqualTo(refused.retryAfterNanos());
    assertThat(refused.status().binding().windowSeconds()).isEqualTo(60);
  }

  @Test
  void theLimitThatRefusesIsTheHeadlineEvenWhenAnotherHasLessLeftRelatively() {
    TierConfig tier = tier(List.of(requests("rps", "2/s"), requests("daily", "1000/1d")));
    RouteRateLimiter limiter = fx.limiter(tier, List.of());
    Tenant a = tenant("a", tier);
    limiter.acquire(a, 0);
    limiter.acquire(a, 0);

    RateDecision refused = limiter.acquire(a, 0);
    assertThat(refused.admitted()).isFalse();
    assertThat(refused.status().binding().name()).isEqualTo("rps");
    assertThat(refused.status().requests().limit()).isEqualTo(2);
    assertThat(refused.status().requests().resetNanos()).isEqualTo(refused.retryAfterNanos());
  }

  @Test
  void eachTenantHasItsOwnBucketsWhileRouteLimitsAreShared() {
    TierConfig tier = tier(List.of(requests("rps", "2/s")));
    RouteRateLimiter limiter = fx.limiter(tier, List.of(requests("global", "3/s")));

    assertThat(admitted(limiter, tenant("a", tier), 5)).isEqualTo(2);
    assertThat(admitted(limiter, tenant("b", tier), 5)).isEqualTo(1);
    assertThat(admitted(limiter, tenant("c", tier), 5)).isZero();
    assertThat(fx.stats.admitted()).isEqualTo(3);
    assertThat(fx.stats.rejectedByLimit()).containsEntry("basic.rps", 3L).containsEntry("route.global", 9L);
  }

  @Test
  void aRejectionByALaterLimitGivesBackWhatEarlierLimitsTook() {
    TierConfig tier = tier(List.of(requests("rps", "5/s"), tokens("tpm", "1000/1m")));
    RouteRateLimiter limiter = fx.limiter(tier, List.of(tokens("route-tpm", "100/1m")));
    Tenant a = tenant("a", tier);

    RateDecision rejected = limiter.acquire(a, 80);
    assertThat(rejected.admitted()).isTrue();
    rejected = limiter.acquire(a, 50);
    assertThat(rejected.reason()).isEqualTo(ShedReason.RATE_LIMITED_TOKENS);
    assertThat(rejected.reservation()).isSameAs(TokenReservation.NONE);
    // Only the first request is still charged against the tenant's own limits.
    RateLimitStatus status = rejected.status();
    assertThat(status.requests().remaining()).isEqualTo(4);
    assertThat(policy(status, "tpm").remaining()).isEqualTo(920);
    assertThat(policy(status, "route-tpm").remaining()).isEqualTo(20);
    assertThat(admitted(limiter, a, 10)).isEqualTo(4);
  }

  @Test
  void retryAfterIsTheLongestWaitOfTheRejectingLimits() {
    TierConfig tier = tier(List.of(requests("rps", "1/s")));
    RouteRateLimiter limiter = fx.limiter(tier, List.of(requests("rpm", "1/30s")));
    Tenant a = tenant("a", tier);
    limiter.acquire(a, 0);
    fx.ticker.advance(Duration.ofMillis(250));

    RateDecision decision = limiter.acquire(a, 0);
    // The tenant's 1/s rejects first (750 ms to go); the route's 1/30s needs 29.75 s.
    assertThat(decision.retryAfterNanos()).isEqualTo(Duration.ofMillis(29_750).toNanos());
    assertThat(decision.retryPointless()).isFalse();
  }

  @Test
  void waitsBeyondAMinuteMakeRetryPointless() {
    TierConfig tier = tier(List.of(tokens("tpd", "1000/1d")));
    RouteRateLimiter limiter = fx.limiter(tier, List.of());
    Tenant a = tenant("a", tier);
    assertThat(limiter.acquire(a, 1000).admitted()).isTrue();

    RateDecision decision = limiter.acquire(a, 10);
    assertThat(decision.reason()).isEqualTo(ShedReason.RATE_LIMITED_TOKENS);
    assertThat(decision.retryAfterNanos()).isEqualTo(Duration.ofDays(1).toNanos() / 100);
    assertThat(decision.retryPointless()).isTrue();
  }

  @Test
  void anEstimateAboveABucketsCapacityCanNeverPass() {
    TierConfig tier = tier(List.of(tokens("tpm", "100/s", "1000/1m")));
    RouteRateLimiter limiter = fx.limiter(tier, List.of());
    Tenant a = tenant("a", tier);

    RateDecision decision = limiter.acquire(a, 101);
    assertThat(decision.reason()).isEqualTo(ShedReason.RATE_LIMITED_TOKENS);
    assertThat(decision.retryAfterNanos()).isEqualTo(RateDecision.NEVER);
    assertThat(decision.retryPointless()).isTrue();
    assertThat(decision.oversize()).isEqualTo(new RateDecision.Oversize(LimitUnit.TOKENS, 100, 101));
    RateDecision fits = limiter.acquire(a, 100);
    assertThat(fits.admitted()).isTrue();
    assertThat(fits.oversize()).isNull();
  }

  @Test
  void shadowLimitsAdmitButCountWouldBeRejections() {
    TierConfig tier = tier(List.of(shadow(requests("rps", "2/s")), tokens("tpm", "1000/1m")));
    RouteRateLimiter limiter = fx.limiter(tier, List.of(shadow(tokens("route-tpm", "50/1m"))));
    Tenant a = tenant("a", tier);

    RateDecision first = limiter.acquire(a, 40);
    assertThat(first.admitted()).isTrue();
    assertThat(first.shadowRejected()).isFalse();
    RateDecision second = limiter.acquire(a, 40);
    assertThat(second.admitted()).isTrue();
    assertThat(second.shadowRejected()).isTrue();
    RateDecision third = limiter.acquire(a, 5);
    assertThat(third.admitted()).isTrue();
    assertThat(third.shadowRejected()).isTrue();

    assertThat(fx.stats.admitted()).isEqualTo(3);
    assertThat(fx.stats.shadowRejected()).isEqualTo(2);
    assertThat(fx.stats.rejected()).isZero();
    assertThat(fx.stats.shadowRejectedByLimit()).containsEntry("basic.rps", 1L).containsEntry("route.route-tpm", 1L);
    // Shadow limits are not advertised to clients.
    assertThat(third.status().policies()).extracting(Policy::name).containsExactly("tpm");
    assertThat(third.status().requests()).isNull();
  }

  @Test
  void statusReportsTheMostConstrainingLimitOfEachUnitAndEveryPolicy() {
    TierConfig tier = tier(List.of(requests("rpm", "10/s", "60/1m"), tokens("tpm", "10000/1m")));
    RouteRateLimiter limiter = fx.limiter(tier, List.of(requests("route-rpm", "1000/1h"),
        tokens("route-tpm", "5000/1m")));
    Tenant a = tenant("a", tier);

    RateDecision decision = limiter.acquire(a, 1200);
    RateLimitStatus status = decision.status();
    assertThat(status.policies()).containsExactly(
        // rpm's 10/s bandwidth (9 of 10 left) binds tighter than its 60/1m (59 of 60): its numbers only.
        new Policy("rpm", LimitUnit.REQUESTS, 10, 1, 9, Duration.ofMillis(100).toNanos()),
        new Policy("tpm", LimitUnit.TOKENS, 10000, 60, 8800, Duration.ofMillis(7200).toNanos()),
        new Policy("route-rpm", LimitUnit.REQUESTS, 1000, 3600, 999, Duration.ofMillis(3600).toNanos()),
        new Policy("route-tpm", LimitUnit.TOKENS, 5000, 60, 3800, Duration.ofMillis(14_400).toNanos()));
    assertThat(status.requests()).isEqualTo(new RateLimitStatus.UnitStatus(10, 9, Duration.ofMillis(100).toNanos()));
    assertThat(status.tokens()).isEqualTo(new RateLimitStatus.UnitStatus(5000, 3800,
        Duration.ofMillis(14_400).toNanos()));
    assertThat(decision.reservation().reservedTokens()).isEqualTo(1200);
  }

  @Test
  void aRouteWithoutLimitsAdmitsWithoutStatus() {
    TierConfig tier = tier(List.of());
    RateDecision decision = fx.limiter(tier, List.of()).acquire(tenant("a", tier), 100);
    assertThat(decision.admitted()).isTrue();
    assertThat(decision.status()).isEqualTo(RateLimitStatus.NONE);
    assertThat(decision.reservation()).isSameAs(TokenReservation.NONE);
  }

  @Test
  void requestLimitsAloneHoldNoReservation() {
    TierConfig tier = tier(List.of(requests("rps", "5/s")));
    RateDecision decision = fx.limiter(tier, List.of()).acquire(tenant("a", tier), 100);
    assertThat(decision.reservation()).isSameAs(TokenReservation.NONE);
  }

  static int admitted(RouteRateLimiter limiter, Tenant tenant, int attempts) {
    int admitted = 0;
    for (int i = 0; i < attempts; i++) {
      if (limiter.acquire(tenant, 0).admitted()) {
        admitted++;
      }
    }
    return admitted;
  }

  static Policy policy(RateLimitStatus status, String name) {
    return status.policies().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
  }
}
