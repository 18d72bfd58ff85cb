package dev.spillway.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.FailurePolicy;
import dev.spillway.testing.RedisServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three gateways and one Redis, over real sockets: one tenant's 12-per-3s request limit (240/min scaled down
 * to a short wall-clock window and to what a shared 2-core machine can send through three gateways),
 * hammered through all three at once, admits at most the limit plus one batch (1 request) per instance.
 * (The benchmarks' {@code cluster} scenario runs the same at 600/min for two minutes, with a token limit too.)
 */
class SharedRateLimitIT {
  @RegisterExtension
  static final RedisServer redis = new RedisServer();

  @Test
  void threeGatewaysShareOneTenantsLimit() throws Exception {
    // A deadline above the default 30 ms: the tests share two cores with everything else the machine runs.
    try (GatewayCluster cluster = new GatewayCluster(3, redis.uri(), "12/3s", Duration.ofMillis(200),
        FailurePolicy.LOCAL)) {
      Duration run = Duration.ofSeconds(6);
      GatewayCluster.Tally tally = cluster.hammer(run, 6);
      long allowed = 12 + 4 * run.toSeconds() + 3;
      System.out.printf("three gateways, one tenant at 12/3s for %d s: %s (allowed %d)%n", run.toSeconds(), tally,
          allowed);
      assertThat(tally.other.sum()).as("answers other than 200 and 429: %s", tally).isZero();
      assertThat(tally.ok.sum()).isPositive().isLessThanOrEqualTo(allowed);
      if (tally.ok.sum() + tally.limited.sum() > allowed) {
        // Offered more than the limit lets through: the rest must have been refused. (How much this machine
        // can offer varies with its load, so the test cannot insist on reaching the limit.)
        assertThat(tally.limited.sum()).isPositive();
      }
    }
  }
}
