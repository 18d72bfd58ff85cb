package dev.spillway.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.FailurePolicy;
import dev.spillway.testing.RedisServer;
import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Redis killed under load, through three real gateways: each failure policy does what it says, no decision
 * waits for Redis (the gateways' own decision timings stay under the Redis deadline), and when Redis comes
 * back empty the shared limit resumes without a flood. One tenant at 60 per 3 s (share: 20 per instance, batch
 * 3), hammered far over it by six clients.
 */
class RedisLossIT {
  @RegisterExtension
  static final RedisServer redis = new RedisServer();

  /** Above the default 30 ms: the tests share two cores with whatever else the machine runs. */
  private static final Duration DEADLINE = Duration.ofMillis(200);
  /** After the kill: leases may spend what they hold and the breaker opens; not judged. */
  private static final Duration SWITCH = Duration.ofSeconds(1);
  private static final Duration LOST = Duration.ofSeconds(2);
  private static final Duration BACK = Duration.ofSeconds(3);
  /** An answer's own upper bound, measured by the client on a busy machine: generous, never a tight check. */
  private static final Duration ANSWER_SLACK = Duration.ofSeconds(2);

  @ParameterizedTest
  @EnumSource(value = FailurePolicy.class, names = {"LOCAL", "OPEN", "CLOSED"})
  void eachPolicyHoldsWhileRedisIsLostAndNothingFloodsWhenItIsBack(FailurePolicy policy) throws Exception {
    try (GatewayCluster cluster = new GatewayCluster(3, redis.uri(), "60/3s", DEADLINE, policy)) {
      cluster.hammer(Duration.ofSeconds(1), 6);
      redis.kill();
      GatewayCluster.Tally switching = cluster.hammer(SWITCH, 6);
      GatewayCluster.Tally lost = cluster.hammer(LOST, 6);
      System.out.printf("%s, redis lost: switching %s; then %s; slowest decision %d us%n", policy, switching, lost,
          cluster.maxDecisionNanos() / 1000);

      for (GatewayCluster.Tally t : new GatewayCluster.Tally[] {switching, lost}) {
        assertThat(t.other.sum()).as("answers other than 200 and 429: %s", t).isZero();
        assertThat(t.limitedWithoutRetryAfter.sum()).as("429s without Retry-After").isZero();
        assertThat(t.maxResponseNanos.get()).isLessThan(DEADLINE.plus(ANSWER_SLACK).toNanos());
      }
      switch (policy) {
        case LOCAL -> {
          // Each instance alone: its share (20, drained by what it admitted before) plus 2 s of a third of the
          // refill (2 x 20/3), whatever each still held in its lease (two batches).
          assertThat(lost.ok.sum()).isPositive().isLessThanOrEqualTo(3 * (20 + 14 + 6));
          assertThat(lost.limited.sum()).isPositive();
        }
        case OPEN -> {
          assertThat(lost.limited.sum()).isZero();
          assertThat(lost.ok.sum()).isPositive();
        }
        case CLOSED -> {
          assertThat(lost.ok.sum()).isZero();
          assertThat(lost.limited.sum()).isPositive();
        }
        default -> throw new AssertionError(policy);
      }

      redis.start();
      cluster.awaitUpUnderTraffic(Duration.ofSeconds(15));
      GatewayCluster.Tally back = cluster.hammer(BACK, 6);
      // The bucket is gone from Redis. Re-created at what it refilled since each instance last saw it, less what
      // the instances admitted alone (charged as debt, up to their shares), it admits about the refill (60 in
      // 3 s) plus one batch per instance. Under closed nothing was admitted alone, so the refilled bucket (up to
      // full, 60) is what the limit really owes: no debt to take off.
      long allowed = 60 + 3 * 3 + 15 + (policy == FailurePolicy.CLOSED ? 60 : 0);
      System.out.printf("%s, redis back empty: %s (allowed %d)%n", policy, back, allowed);
      assertThat(back.other.sum()).as("answers other than 200 and 429: %s", back).isZero();
      assertThat(back.ok.sum()).isPositive().isLessThanOrEqualTo(allowed);

      // The gateways' own measure: no rate-limit decision waited for Redis, before, during or after the loss.
      assertThat(cluster.maxDecisionNanos()).isPositive().isLessThan(DEADLINE.toNanos());
    }
  }
}
