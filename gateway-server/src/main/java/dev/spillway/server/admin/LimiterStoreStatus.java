package dev.spillway.server.admin;

import dev.spillway.core.admission.ratelimit.BucketStores;
import dev.spillway.core.admission.ratelimit.redis.LimiterStoreState;
import dev.spillway.core.admission.ratelimit.redis.RedisLimiterStore;
import dev.spillway.server.status.ResilienceEvent;
import dev.spillway.server.status.StatusTracker;

/**
 * The Redis limiter store on the status page: the component {@code gateway/limiter-store} (assessed by
 * {@link LimiterStoreAssessment} once a second), and the store's breaker as an incident condition: degraded
 * (Redis unreachable, limits on their failure policy) opens one; back up closes it. Nothing for a local store.
 */
final class LimiterStoreStatus {
  /** The component's name, under kind {@code gateway}. */
  static final String COMPONENT = "limiter-store";

  private LimiterStoreStatus() {}

  static void watch(BucketStores stores, StatusTracker status) {
    if (!(stores instanceof RedisLimiterStore store)) {
      return;
    }
    status.watch(COMPONENT, new LimiterStoreAssessment(store)::assess);
    String component = "gateway " + COMPONENT;
    Object lock = new Object();
    LimiterStoreState[] last = {LimiterStoreState.CONNECTING};
    store.addListener(state -> {
      synchronized (lock) {
        boolean wasDegraded = last[0] == LimiterStoreState.DEGRADED;
        last[0] = state;
        if (state == LimiterStoreState.DEGRADED && !wasDegraded) {
          status.onResilienceEvent(new ResilienceEvent(ResilienceEvent.Type.BREAKER_OPENED, component,
              "Redis " + store.config().uri() + " unreachable: rate limits follow their failure policy (default "
                  + LimiterStoreAssessment.policy(store) + ")"));
        } else if (state == LimiterStoreState.UP && wasDegraded) {
          status.onResilienceEvent(new ResilienceEvent(ResilienceEvent.Type.BREAKER_CLOSED, component,
              "Redis back: rate limits shared again"));
        }
      }
    });
  }
}
