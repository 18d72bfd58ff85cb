package dev.spillway.core.upstream.resilience;

import java.util.random.RandomGenerator;

/**
 * Power of two choices on least outstanding requests: two distinct endpoints at random, the less loaded one
 * wins. Load is requests in flight divided by weight, so a bigger server takes proportionally more; on equal
 * load the one that last reported more {@code x-ratelimit-remaining-requests} wins. If neither candidate can
 * take the request, the rest are scanned from a random start, so {@code null} means none could.
 * Allocation-free and lock-free.
 */
final class PowerOfTwoPicker implements Picker {
  private final RandomGenerator random;

  PowerOfTwoPicker(RandomGenerator random) {
    this.random = random;
  }

  @Override
  public EndpointState pick(EndpointState[] states, long now, boolean panic) {
    int n = states.length;
    if (n == 1) {
      EndpointState only = states[0];
      return only.selectable(now, panic) && only.tryAcquire() ? only : null;
    }
    int i = random.nextInt(n);
    int j = random.nextInt(n - 1);
    if (j >= i) {
      j++;
    }
    EndpointState first = states[i];
    EndpointState second = states[j];
    boolean okFirst = first.selectable(now, panic);
    boolean okSecond = second.selectable(now, panic);
    if (okFirst && okSecond && better(second, first)) {
      EndpointState t = first;
      first = second;
      second = t;
    } else if (!okFirst && okSecond) {
      first = second;
      okFirst = true;
      okSecond = false;
    }
    if (okFirst && first.tryAcquire()) {
      return first;
    }
    if (okSecond && second.tryAcquire()) {
      return second;
    }
    return Picker.scan(states, i, now, panic);
  }

  /** Whether {@code a} is less loaded than {@code b}, relative to their weights. */
  static boolean better(EndpointState a, EndpointState b) {
    long loadA = (long) a.outstanding() * b.weight();
    long loadB = (long) b.outstanding() * a.weight();
    if (loadA != loadB) {
      return loadA < loadB;
    }
    return a.remainingRequests() > b.remainingRequests();
  }
}
