package dev.spillway.core.admission.ratelimit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.FailurePolicy;
import dev.spillway.testing.RedisServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Redis killed under load, then back empty: each failure policy does what it says, no decision waits for
 * Redis, and the shared limit resumes without a flood. Three instances, a 60-per-3s request limit (share:
 * 20 per instance), batch 3.
 */
class RedisLossTest {
  @RegisterExtension
  static final RedisServer redis = new RedisServer();

  /** Above the default 30 ms: these tests share two cores with whatever else the machine runs. */
  private static final Duration TIMEOUT = Duration.ofMillis(100);
  /** After a kill, the time leases may still spend what they hold and the breaker takes to open. */
  private static final Duration SWITCH = Duration.ofMillis(500);

  @Test
  void localPolicyEnforcesEachInstancesShareAndRedisBackBringsNoFlood() throws Exception {
    try (Cluster cluster = new Cluster(redis.uri(), 3, Cluster.requests("60/3s"), TIMEOUT, FailurePolicy.LOCAL)) {
      cluster.awaitConnected();
      cluster.hammer(Duration.ofSeconds(1), 1, 1, 2000);
      redis.kill();
      Cluster.Tally switching = cluster.hammer(SWITCH, 1, 1, 2000);
      Cluster.Tally lost = cluster.hammer(Duration.ofSeconds(2), 1, 1, 2000);
      // Each instance alone: its share (20, drained by what it admitted before) plus 2 s of a third of the
      // refill (2 x 20/3), whatever each instance still held in its lease.
      long localAllowed = 3 * (20 + 14 + 2 * 3);
      report("local, redis lost", switching, lost, localAllowed);
      assertThat(lost.admitted.sum()).isPositive().isLessThanOrEqualTo(localAllowed);
      assertThat(lost.quantileNanos(0.999)).isLessThan(TIMEOUT.toNanos());

      redis.start();
      cluster.awaitUpUnderTraffic(Duration.ofSeconds(15));
      Cluster.Tally back = cluster.hammer(Duration.ofSeconds(3), 1, 1, 2000);
      // The bucket is gone from Redis. Full to everyone it would admit 60 at once plus 60 of refill over the
      // window; re-created at what it refilled since last seen, less what the instances admitted alone, it
      // admits about the refill.
      long noFlood = 60 + 3 * 3 + 15;
      report("local, redis back empty", back, back, noFlood);
      assertThat(back.admitted.sum()).isPositive().isLessThanOrEqualTo(noFlood);
    }
  }

  @Test
  void openPolicyAdmitsWhileRedisIsLost() throws Exception {
    try (Cluster cluster = new Cluster(redis.uri(), 3, Cluster.requests("60/3s"), TIMEOUT, FailurePolicy.OPEN)) {
      cluster.awaitConnected();
      cluster.hammer(Duration.ofSeconds(1), 1, 1, 2000);
      redis.kill();
      Cluster.Tally switching = cluster.hammer(SWITCH, 1, 1, 2000);
      Cluster.Tally lost = cluster.hammer(Duration.ofSeconds(1), 1, 1, 2000);
      report("open, redis lost", switching, lost, -1);
      assertThat(lost.rejected.sum()).isZero();
      assertThat(lost.admitted.sum()).isPositive();
      assertThat(lost.quantileNanos(0.999)).isLessThan(TIMEOUT.toNanos());
    }
  }

  @Test
  void closedPolicyRejectsWhileRedisIsLost() throws Exception {
    try (Cluster cluster = new Cluster(redis.uri(), 3, Cluster.requests("600/3s"), TIMEOUT,
        FailurePolicy.CLOSED)) {
      cluster.awaitConnected();
      cluster.hammer(Duration.ofSeconds(1), 1, 1, 2000);
      redis.kill();
      Cluster.Tally switching = cluster.hammer(SWITCH, 1, 1, 2000);
      Cluster.Tally lost = cluster.hammer(Duration.ofSeconds(1), 1, 1, 2000);
      report("closed, redis lost", switching, lost, 0);
      assertThat(lost.admitted.sum()).isZero();
      assertThat(lost.rejected.sum()).isPositive();
      assertThat(lost.quantileNanos(0.999)).isLessThan(TIMEOUT.toNanos());
    }
  }

  private static void report(String what, Cluster.Tally switching, Cluster.Tally tally, long allowed) {
    System.out.printf("%s: switching admitted %d rejected %d; then admitted %d rejected %d (allowed %d);"
            + " decisions p99.9 %d us, max %d us%n", what, switching.admitted.sum(), switching.rejected.sum(),
        tally.admitted.sum(), tally.rejected.sum(), allowed, tally.quantileNanos(0.999) / 1000,
        Math.max(switching.maxDecisionNanos.get(), tally.maxDecisionNanos.get()) / 1000);
  }
}
