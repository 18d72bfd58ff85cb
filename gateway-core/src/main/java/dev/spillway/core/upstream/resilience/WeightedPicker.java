package dev.spillway.core.upstream.resilience;

/**
 * Smooth weighted round-robin, nginx's algorithm: on each pick every eligible endpoint's running weight grows
 * by its weight, the largest wins and gives back the total. Over any run of picks each endpoint gets its
 * weight's share, interleaved rather than in bursts (weights 5, 1, 1 give a a b a c a a). Endpoints that
 * cannot take the request sit out the round; if the winner then refuses (its breaker or cap said no in the
 * meantime), the round is run again without it.
 *
 * <p>Runs under a lock: the running weights change together. The critical section is a loop over the
 * endpoints, which is short next to a proxied request.
 */
final class WeightedPicker implements Picker {
  private boolean[] refused = new boolean[0];

  @Override
  public synchronized EndpointState pick(EndpointState[] states, long now, boolean panic) {
    int n = states.length;
    if (refused.length != n) {
      refused = new boolean[n];
    } else {
      java.util.Arrays.fill(refused, false);
    }
    for (int round = 0; round < n; round++) {
      long total = 0;
      int best = -1;
      for (int k = 0; k < n; k++) {
        EndpointState s = states[k];
        if (refused[k] || !s.selectable(now, panic)) {
          continue;
        }
        s.currentWeight += s.weight();
        total += s.weight();
        if (best < 0 || s.currentWeight > states[best].currentWeight) {
          best = k;
        }
      }
      if (best < 0) {
        return null;
      }
      EndpointState winner = states[best];
      winner.currentWeight -= total;
      if (winner.tryAcquire()) {
        return winner;
      }
      refused[best] = true;
    }
    return null;
  }
}
