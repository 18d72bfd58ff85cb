package dev.spillway.server.mock;

import java.util.concurrent.atomic.LongAdder;

/** What all connections of one {@link MockBackend} share: its options, its capacity gate and its counters. */
final class MockState {
  final MockBackendOptions options;
  final CapacityGate gate;
  final LongAdder connectionsAccepted = new LongAdder();
  final LongAdder requestsServed = new LongAdder();
  final LongAdder rejected = new LongAdder();

  MockState(MockBackendOptions options) {
    this.options = options;
    this.gate = new CapacityGate(options.capacity(), options.maxQueue());
  }
}
