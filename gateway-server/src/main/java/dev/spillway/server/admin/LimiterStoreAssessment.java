package dev.spillway.server.admin;

import dev.spillway.core.admission.ratelimit.redis.LimiterStoreState;
import dev.spillway.core.admission.ratelimit.redis.LimiterStoreStats;
import dev.spillway.core.admission.ratelimit.redis.RedisLimiterStore;
import dev.spillway.server.status.Assessment;
import dev.spillway.server.status.ComponentState;
import dev.spillway.server.status.WindowStats;
import java.util.Locale;

/**
 * The state of the Redis limiter store, from its breaker and the results of its calls since the last look
 * (once a second, on the monitor thread):
 *
 * <ul>
 *   <li>operational: connected, the breaker closed, no call failed;</li>
 *   <li>degraded: calls fail or miss their deadline, or the breaker is open or testing Redis, or the first
 *       connection is not made yet: limits follow their failure policy ({@code local}: each instance enforces
 *       its share, {@code open}: admitted);</li>
 *   <li>outage: Redis unusable and limits with failure policy {@code closed} refused requests because of it.</li>
 * </ul>
 */
final class LimiterStoreAssessment {
  private static final WindowStats NO_WINDOW = WindowStats.empty(0);

  private final RedisLimiterStore store;
  private long operations;
  private long errors;
  private long closedRejections;
  private long fallbacks;

  LimiterStoreAssessment(RedisLimiterStore store) {
    this.store = store;
    LimiterStoreStats s = store.stats();
    operations = s.operations();
    errors = s.errors();
    closedRejections = s.closedRejections();
    fallbacks = s.fallbackDecisions();
  }

  /** The store's state now; the counts in the reason are those since the previous call. */
  Assessment assess() {
    LimiterStoreStats s = store.stats();
    long newOperations = s.operations() - operations;
    long newErrors = s.errors() - errors;
    long newClosed = s.closedRejections() - closedRejections;
    long newFallbacks = s.fallbackDecisions() - fallbacks;
    operations += newOperations;
    errors += newErrors;
    closedRejections += newClosed;
    fallbacks += newFallbacks;
    String uri = store.config().uri();
    LimiterStoreState state = store.state();
    String slowest = "slowest decision " + micros(s.maxDecisionNanos()) + " since start";
    if (state != LimiterStoreState.UP) {
      String why = state == LimiterStoreState.CONNECTING ? "not connected to " + uri + " yet"
          : "Redis " + uri + " unreachable (breaker open)";
      if (newClosed > 0) {
        return new Assessment(ComponentState.OUTAGE, why + ": limits with failure policy closed refused "
            + newClosed + " requests since the last look", NO_WINDOW);
      }
      return new Assessment(ComponentState.DEGRADED, why + ": " + newFallbacks + " decisions by the failure "
          + "policy (default " + policy(store) + ") since the last look; " + slowest, NO_WINDOW);
    }
    if (newErrors > 0) {
      return new Assessment(ComponentState.DEGRADED, newErrors + " of " + newOperations + " Redis calls failed or "
          + "missed the " + store.config().timeout().toMillis() + " ms deadline since the last look (breaker "
          + "closed)", NO_WINDOW);
    }
    return new Assessment(ComponentState.OPERATIONAL, "limits shared on " + uri + ": " + newOperations
        + " Redis calls since the last look, none failed; " + slowest, NO_WINDOW);
  }

  static String policy(RedisLimiterStore store) {
    return store.config().failure().name().toLowerCase(Locale.ROOT);
  }

  private static String micros(long nanos) {
    return nanos < 10_000_000 ? (nanos / 1000) + " µs" : (nanos / 1_000_000) + " ms";
  }
}
