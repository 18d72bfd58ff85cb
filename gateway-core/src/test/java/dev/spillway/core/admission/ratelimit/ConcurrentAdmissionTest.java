package dev.spillway.core.admission.ratelimit;

import static dev.spillway.core.admission.ratelimit.LimiterFixtures.requests;
import static dev.spillway.core.admission.ratelimit.LimiterFixtures.tenant;
import static dev.spillway.core.admission.ratelimit.LimiterFixtures.tier;
import static dev.spillway.core.admission.ratelimit.LimiterFixtures.tokens;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.admission.Tenant;
import dev.spillway.core.config.TierConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConcurrentAdmissionTest {
  private static final int THREADS = 8;
  private static final int ATTEMPTS = 10_000;

  private final LimiterFixtures fx = new LimiterFixtures();

  @Test
  void threadsHammeringOneTenantNeverExceedTheLimit() throws Exception {
    // The tenant's limits are wide (and refill by less than a token in this test); the shared route limit binds,
    // so the tenant's buckets see many refunds.
    TierConfig tier = tier(List.of(requests("rps", "100000/1000d"), tokens("tpm", "1000000/1000d")));
    RouteRateLimiter limiter = fx.limiter(tier, List.of(requests("global", "500/1s")));
    Tenant a = tenant("a", tier);

    assertThat(hammer(limiter, a)).isEqualTo(500);
    fx.ticker.advance(Duration.ofMillis(300));
    assertThat(hammer(limiter, a)).isEqualTo(150);

    // Every rejected request gave back what it took from the tenant's buckets.
    fx.ticker.advance(Duration.ofSeconds(1));
    RateDecision probe = limiter.acquire(a, 1);
    assertThat(RouteRateLimiterTest.policy(probe.status(), "rps").remaining()).isEqualTo(100_000 - 651);
    assertThat(RouteRateLimiterTest.policy(probe.status(), "tpm").remaining()).isEqualTo(1_000_000 - 650 * 10 - 1);
  }

  private static long hammer(RouteRateLimiter limiter, Tenant tenant) throws Exception {
    AtomicLong admitted = new AtomicLong();
    CyclicBarrier start = new CyclicBarrier(THREADS);
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      Thread thread = new Thread(() -> {
        try {
          start.await();
          for (int i = 0; i < ATTEMPTS; i++) {
            if (limiter.acquire(tenant, 10).admitted()) {
              admitted.incrementAndGet();
            }
          }
        } catch (Throwable e) {
          synchronized (failures) {
            failures.add(e);
          }
        }
      });
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(failures).isEmpty();
    return admitted.get();
  }
}
