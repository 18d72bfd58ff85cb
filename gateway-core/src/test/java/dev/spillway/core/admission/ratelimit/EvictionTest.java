package dev.spillway.core.admission.ratelimit;

import static dev.spillway.core.admission.ratelimit.LimiterFixtures.cache;
import static dev.spillway.core.admission.ratelimit.LimiterFixtures.tier;
import static dev.spillway.core.admission.ratelimit.LimiterFixtures.tokens;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.admission.Tenant;
import dev.spillway.core.config.TierConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Buckets of unknown callers evicted for size come back as drawn down as they left. */
class EvictionTest {
  private final LimiterFixtures fx = new LimiterFixtures();
  private final TierConfig tier = tier(List.of(tokens("tpm", "60000/1m")));

  @Test
  void anOverdrawnTenantEvictedForSizeComesBackStillInDebt() {
    RouteRateLimiter limiter = fx.limiter(tier, List.of(), cache(2));
    Tenant hot = client("hot");
    limiter.acquire(hot, 1_000).reservation().settle(70_000);

    evict(limiter, hot);
    assertThat(fx.stats.evictions()).isPositive();

    assertThat(limiter.acquire(hot, 1).admitted()).isFalse();
    fx.ticker.advance(Duration.ofMillis(10_000));
    assertThat(limiter.acquire(hot, 1).admitted()).isFalse();
    fx.ticker.advance(Duration.ofMillis(1));
    assertThat(limiter.acquire(hot, 1).admitted()).isTrue();
  }

  @Test
  void aStashExpiresWhenTheBucketWouldHaveBeenFull() {
    RouteRateLimiter limiter = fx.limiter(tier, List.of(), cache(2));
    Tenant hot = client("hot");
    limiter.acquire(hot, 30_000).reservation().settle(30_000);

    evict(limiter, hot);
    fx.ticker.advance(Duration.ofSeconds(30));
    fx.store.cleanUp();

    RateDecision back = limiter.acquire(hot, 60_000);
    assertThat(back.admitted()).isTrue();
  }

  /** A caller of no configured tenant (say, a client address): only these are evicted for size. */
  private Tenant client(String name) {
    return new Tenant("ip:" + name, name, tier, false);
  }

  /** Other tenants are used until Caffeine's admission policy prefers them over {@code victim}. */
  private void evict(RouteRateLimiter limiter, Tenant victim) {
    for (int i = 0; i < 10_000 && fx.store.isResident(victim.key()); i++) {
      limiter.acquire(client("other-" + (i % 3)), 1).reservation().release();
      fx.store.cleanUp();
    }
    assertThat(fx.store.isResident(victim.key())).isFalse();
  }
}
