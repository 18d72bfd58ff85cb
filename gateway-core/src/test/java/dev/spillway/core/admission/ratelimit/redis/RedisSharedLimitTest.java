package dev.spillway.core.admission.ratelimit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.FailurePolicy;
import dev.spillway.testing.RedisServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three instances share one tenant's limits on a real Redis: together they admit at most the limit plus one
 * batch per instance, and ask Redis rarely. Wall-clock windows are short (a 60-per-3s limit stands in for
 * 600/min), and each instance hammers far above the limit.
 */
class RedisSharedLimitTest {
  @RegisterExtension
  static final RedisServer redis = new RedisServer();

  /** Above the default 30 ms: these tests share two cores with whatever else the machine runs. */
  private static final Duration TIMEOUT = Duration.ofMillis(100);

  @Test
  void threeInstancesAdmitAtMostTheLimitPlusOneBatchEach() throws Exception {
    // 60 per 3 s: capacity 60, refill 20/s; batch 5% = 3 tokens.
    try (Cluster cluster = new Cluster(redis.uri(), 3, Cluster.requests("60/3s"), TIMEOUT, FailurePolicy.LOCAL)) {
      cluster.awaitConnected();
      long commandsBefore = redis.commandCount();
      Duration run = Duration.ofSeconds(6);
      Cluster.Tally tally = cluster.hammer(run, 1, 1, 2000);
      long commands = redis.commandCount() - commandsBefore;
      long admitted = tally.admitted.sum();
      long allowed = 60 + 20 * run.toSeconds() + 3 * 3;
      System.out.printf("shared requests: admitted %d of %d (allowed %d), redis commands %d, max decision %d us%n",
          admitted, admitted + tally.rejected.sum(), allowed, commands, tally.maxDecisionNanos.get() / 1000);
      assertThat(admitted).isLessThanOrEqualTo(allowed);
      // Not starved either: the instances together get close to the limit.
      assertThat(admitted).isGreaterThan((long) ((60 + 20 * run.toSeconds()) * 0.8));
      // Without leases each admitted request would cost two Redis commands (Bucket4j's read and swap).
      assertThat((double) commands / (admitted + tally.rejected.sum())).isLessThan(0.5);
    }
  }

  @Test
  void tokenLimitIsSharedLikewiseAndSettledFromUsage() throws Exception {
    // 6000 tokens per 3 s (2000/s); requests estimated at 100 tokens use 50: refunds flow back to the lease.
    try (Cluster cluster = new Cluster(redis.uri(), 3, Cluster.tokens("6000/3s"), TIMEOUT, FailurePolicy.LOCAL)) {
      cluster.awaitConnected();
      Duration run = Duration.ofSeconds(6);
      Cluster.Tally tally = cluster.hammer(run, 100, 50, 2000);
      long used = tally.admittedTokens.sum();
      // Usage (not estimates) is what the limit counts; one batch (300 tokens) per instance on top, plus one
      // estimate each in flight.
      long allowed = 6000 + 2000 * run.toSeconds() + 3 * (300 + 100);
      System.out.printf("shared tokens: used %d in %d requests (allowed %d)%n", used, tally.admitted.sum(),
          allowed);
      assertThat(used).isLessThanOrEqualTo(allowed);
      assertThat(used).isGreaterThan((long) ((6000 + 2000 * run.toSeconds()) * 0.8));
    }
  }
}
