package dev.spillway.core.admission.ratelimit;

import static dev.spillway.core.admission.ratelimit.LimiterFixtures.tenant;
import static dev.spillway.core.admission.ratelimit.LimiterFixtures.tier;
import static dev.spillway.core.admission.ratelimit.LimiterFixtures.tokens;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.admission.Tenant;
import dev.spillway.core.config.TierConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TokenReservationTest {
  /** 60,000 per minute: exactly one token per millisecond, so a model in whole milliseconds is exact. */
  private static final long CAPACITY = 60_000;

  private final LimiterFixtures fx = new LimiterFixtures();

  @Test
  void settlingRefundsTheUnusedPartAndChargesOveruseExactly() {
    TierConfig tier = tier(List.of(tokens("tpm", CAPACITY + "/1m")));
    RouteRateLimiter limiter = fx.limiter(tier, List.of(tokens("route-tpm", CAPACITY + "/1m")));
    Tenant a = tenant("a", tier);
    Random random = new Random(42);
    long model = CAPACITY;
    List<Held> open = new ArrayList<>();

    for (int step = 0; step < 20_000; step++) {
      int op = random.nextInt(4);
      if (op == 0 || open.isEmpty()) {
        long estimate = 1 + random.nextInt(3_000);
        RateDecision decision = limiter.acquire(a, estimate);
        assertThat(decision.admitted()).isEqualTo(model >= estimate);
        if (decision.admitted()) {
          model -= estimate;
          open.add(new Held(decision.reservation(), estimate));
        } else {
          assertThat(decision.reservation()).isSameAs(TokenReservation.NONE);
        }
      } else if (op == 1) {
        Held held = open.remove(random.nextInt(open.size()));
        long actual = random.nextInt((int) held.estimate * 2 + 1);
        held.reservation.settle(actual);
        // A refund cannot fill a bucket past its capacity; debt may take it below zero.
        model = Math.min(CAPACITY, model + held.estimate - actual);
        held.reservation.settle(actual);
        held.reservation.release();
      } else if (op == 2) {
        Held held = open.remove(random.nextInt(open.size()));
        held.reservation.release();
        model = Math.min(CAPACITY, model + held.estimate);
        held.reservation.settle(0);
      } else {
        long millis = random.nextInt(500);
        fx.ticker.advance(Duration.ofMillis(millis));
        model = Math.min(CAPACITY, model + millis);
      }
      if (step % 100 == 0) {
        assertAvailable(limiter, a, model);
      }
    }
  }

  @Test
  void debtBlocksTheTenantUntilItIsRefilled() {
    TierConfig tier = tier(List.of(tokens("tpm", CAPACITY + "/1m")));
    RouteRateLimiter limiter = fx.limiter(tier, List.of());
    Tenant a = tenant("a", tier);

    RateDecision decision = limiter.acquire(a, 1_000);
    decision.reservation().settle(CAPACITY + 10_000);

    RateDecision blocked = limiter.acquire(a, 1);
    assertThat(blocked.reason()).isEqualTo(ShedReason.RATE_LIMITED_TOKENS);
    // 10,000 tokens of debt plus the one asked for, at one token per millisecond.
    assertThat(blocked.retryAfterNanos()).isEqualTo(Duration.ofMillis(10_001).toNanos());
    fx.ticker.advance(Duration.ofMillis(10_000));
    assertThat(limiter.acquire(a, 1).admitted()).isFalse();
    fx.ticker.advance(Duration.ofMillis(1));
    assertThat(limiter.acquire(a, 1).admitted()).isTrue();
  }

  @Test
  void onlyTheFirstCompletionTakesEffect() {
    TierConfig tier = tier(List.of(tokens("tpm", CAPACITY + "/1m")));
    RouteRateLimiter limiter = fx.limiter(tier, List.of());
    Tenant a = tenant("a", tier);

    TokenReservation reservation = limiter.acquire(a, 5_000).reservation();
    assertThat(reservation.reservedTokens()).isEqualTo(5_000);
    reservation.release();
    reservation.release();
    reservation.settle(50_000);
    assertAvailable(limiter, a, CAPACITY);
  }

  /** Reads the bucket by asking for everything it should hold, then one more, and giving both back. */
  private static void assertAvailable(RouteRateLimiter limiter, Tenant tenant, long expected) {
    if (expected > 0) {
      RateDecision all = limiter.acquire(tenant, expected);
      assertThat(all.admitted()).as("%d available", expected).isTrue();
      assertThat(all.status().tokens().remaining()).isZero();
      all.reservation().release();
    }
    if (expected < CAPACITY) {
      RateDecision more = limiter.acquire(tenant, Math.max(1, expected + 1));
      assertThat(more.admitted()).as("more than %d available", expected).isFalse();
    }
  }

  private record Held(TokenReservation reservation, long estimate) {}
}
