package dev.spillway.core.upstream.resilience;

import dev.spillway.core.config.Balancing;
import java.util.random.RandomGenerator;

/**
 * One balancing strategy. A picker returns an endpoint it has already acquired ({@link EndpointState#tryAcquire()}
 * succeeded), or {@code null} when no endpoint would take the request; it never returns one that is not
 * {@link EndpointState#selectable selectable}.
 */
interface Picker {

  EndpointState pick(EndpointState[] states, long now, boolean panic);

  static Picker of(Balancing balancing, RandomGenerator random) {
    switch (balancing) {
      case ROUND_ROBIN:
        return new RoundRobinPicker();
      case WEIGHTED:
        return new WeightedPicker();
      case POWER_OF_TWO_CHOICES:
      default:
        return new PowerOfTwoPicker(random);
    }
  }

  /** The first endpoint from {@code start} on (wrapping) that is selectable and acquired, or {@code null}. */
  static EndpointState scan(EndpointState[] states, int start, long now, boolean panic) {
    int n = states.length;
    for (int k = 0; k < n; k++) {
      EndpointState s = states[(start + k) % n];
      if (s.selectable(now, panic) && s.tryAcquire()) {
        return s;
      }
    }
    return null;
  }
}
