package dev.spillway.core.upstream;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Rotates through a backend's endpoints in order. Thread-safe and allocation-free. */
public final class RoundRobinSelector implements EndpointSelector {
  private final Endpoint[] endpoints;
  private final AtomicInteger next = new AtomicInteger();

  public RoundRobinSelector(List<Endpoint> endpoints) {
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("endpoints: [] (expected: at least one)");
    }
    this.endpoints = endpoints.toArray(new Endpoint[0]);
  }

  @Override
  public Endpoint select() {
    if (endpoints.length == 1) {
      return endpoints[0];
    }
    return endpoints[Math.floorMod(next.getAndIncrement(), endpoints.length)];
  }
}
