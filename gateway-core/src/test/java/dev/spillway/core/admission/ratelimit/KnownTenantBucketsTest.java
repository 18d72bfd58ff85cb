package dev.spillway.core.admission.ratelimit;

import static dev.spillway.core.admission.ratelimit.LimiterFixtures.cache;
import static dev.spillway.core.admission.ratelimit.LimiterFixtures.requests;
import static dev.spillway.core.admission.ratelimit.LimiterFixtures.tenant;
import static dev.spillway.core.admission.ratelimit.LimiterFixtures.tier;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.admission.Tenant;
import dev.spillway.core.config.TierConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A flood of callers the gateway does not know cannot push out the buckets of tenants it does know. */
class KnownTenantBucketsTest {
  private final LimiterFixtures fx = new LimiterFixtures();
  private final TierConfig tier = tier(List.of(requests("rpm", "3/1m")));

  @Test
  void unknownCallersNeverEvictAKnownTenantsDrawnDownBuckets() {
    RouteRateLimiter limiter = fx.limiter(tier, List.of(), cache(2));
    Tenant acme = tenant("acme", tier);
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.acquire(acme, 1).admitted()).isTrue();
    }
    for (int i = 0; i < 10_000; i++) {
      Tenant stranger = new Tenant("ip:198.51." + (i / 256) + "." + (i % 256), "stranger", tier, false);
      limiter.acquire(stranger, 1);
      fx.store.cleanUp();
    }
    assertThat(fx.store.isResident(acme.key())).isTrue();
    assertThat(limiter.acquire(acme, 1).admitted()).as("still drawn down, not refilled by eviction").isFalse();
  }
}
