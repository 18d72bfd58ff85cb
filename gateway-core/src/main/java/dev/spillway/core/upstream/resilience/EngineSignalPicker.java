package dev.spillway.core.upstream.resilience;

import dev.spillway.core.upstream.engine.EngineSample;
import dev.spillway.core.upstream.engine.EngineSignals;

/**
 * Picks by the engines' own metrics, the way the Gateway API inference extension's endpoint picker does:
 * among the available endpoints, those with the fewest requests waiting in the engine's queue; among them,
 * those whose KV-cache use is within {@value #KV_BAND} of the lowest; among them, the fewest requests in flight
 * through this gateway relative to weight. The last step counts live, so requests spread between two scrapes
 * instead of all landing on the endpoint that looked emptiest at the last one.
 *
 * <p>When an available endpoint has no fresh metrics (its scrapes fail or are stale), this pick falls back to
 * the backend's usual picker, so a broken metrics endpoint never takes an endpoint out of rotation.
 * Allocation-free and lock-free.
 */
final class EngineSignalPicker implements Picker {
  static final double KV_BAND = 0.05;

  private final EngineSignals signals;
  private final Picker fallback;

  /** {@code signals} lists the endpoints in the same order as the group's states. */
  EngineSignalPicker(EngineSignals signals, Picker fallback) {
    this.signals = signals;
    this.fallback = fallback;
  }

  @Override
  public EndpointState pick(EndpointState[] states, long now, boolean panic) {
    double minWaiting = Double.POSITIVE_INFINITY;
    for (int i = 0; i < states.length; i++) {
      if (!states[i].selectable(now, panic)) {
        continue;
      }
      EngineSample sample = signals.fresh(i, now);
      if (sample == null) {
        return fallback.pick(states, now, panic);
      }
      minWaiting = Math.min(minWaiting, sample.waiting());
    }
    if (minWaiting == Double.POSITIVE_INFINITY) {
      return null; // nothing available
    }
    double minKv = Double.POSITIVE_INFINITY;
    for (int i = 0; i < states.length; i++) {
      EngineSample sample = candidate(states, i, now, panic, minWaiting);
      if (sample != null) {
        minKv = Math.min(minKv, kv(sample));
      }
    }
    EndpointState best = null;
    for (int i = 0; i < states.length; i++) {
      EngineSample sample = candidate(states, i, now, panic, minWaiting);
      if (sample != null && kv(sample) <= minKv + KV_BAND
          && (best == null || lessLoaded(states[i], best))) {
        best = states[i];
      }
    }
    if (best != null && best.tryAcquire()) {
      return best;
    }
    // Its own cap was reached meanwhile: any other available endpoint will do.
    return fallback.pick(states, now, panic);
  }

  private EngineSample candidate(EndpointState[] states, int i, long now, boolean panic, double minWaiting) {
    if (!states[i].selectable(now, panic)) {
      return null;
    }
    EngineSample sample = signals.fresh(i, now);
    return sample != null && sample.waiting() <= minWaiting ? sample : null;
  }

  /** An engine without a KV-cache gauge (TGI) counts as empty, so the comparison falls through to load. */
  private static double kv(EngineSample sample) {
    return Double.isNaN(sample.kvCacheUsage()) ? 0 : sample.kvCacheUsage();
  }

  private static boolean lessLoaded(EndpointState a, EndpointState b) {
    return (long) a.outstanding() * b.weight() < (long) b.outstanding() * a.weight();
  }
}
