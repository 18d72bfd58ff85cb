package dev.spillway.core.upstream.resilience;

import java.util.concurrent.atomic.AtomicInteger;

/** Each endpoint in turn, skipping the ones that cannot take the request. Allocation-free and lock-free. */
final class RoundRobinPicker implements Picker {
  private final AtomicInteger next = new AtomicInteger();

  @Override
  public EndpointState pick(EndpointState[] states, long now, boolean panic) {
    return Picker.scan(states, Math.floorMod(next.getAndIncrement(), states.length), now, panic);
  }
}
