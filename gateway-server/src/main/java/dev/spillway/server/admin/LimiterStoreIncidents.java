package dev.spillway.server.admin;

import dev.spillway.core.admission.ratelimit.BucketStores;
import dev.spillway.core.admission.ratelimit.redis.LimiterStoreState;
import dev.spillway.core.admission.ratelimit.redis.RedisLimiterStore;
import dev.spillway.server.status.ResilienceEvent;
import dev.spillway.server.status.StatusTracker;

/**
 * Turns the Redis limiter store's breaker into status conditions: degraded (Redis unreachable, limits on their
 * failure policy) opens one, and with it an incident; back up closes it. Nothing for a local store.
 */
final class LimiterStoreIncidents {
  private LimiterStoreIncidents() {}

  static void watch(BucketStores stores, StatusTracker status) {
    if (!(stores instanceof RedisLimiterStore store)) {
      return;
    }
    String component = "limiter store " + store.config().uri();
    Object lock = new Object();
    LimiterStoreState[] last = {LimiterStoreState.CONNECTING};
    store.addListener(state -> {
      synchronized (lock) {
        boolean wasDegraded = last[0] == LimiterStoreState.DEGRADED;
        last[0] = state;
        if (state == LimiterStoreState.DEGRADED && !wasDegraded) {
          status.onResilienceEvent(new ResilienceEvent(ResilienceEvent.Type.BREAKER_OPENED, component,
              "Redis unreachable: rate limits follow their failure policy (default "
                  + store.config().failure().name().toLowerCase(java.util.Locale.ROOT) + ")"));
        } else if (state == LimiterStoreState.UP && wasDegraded) {
          status.onResilienceEvent(new ResilienceEvent(ResilienceEvent.Type.BREAKER_CLOSED, component,
              "Redis back: rate limits shared again"));
        }
      }
    });
  }
}
