package dev.spillway.server.mock;

import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.concurrent.atomic.LongAdder;

/** What all connections of one {@link MockBackend} share: its options, its capacity gate and its counters. */
final class MockState {
  final MockBackendOptions options;
  final CapacityGate gate;
  final LongAdder connectionsAccepted = new LongAdder();
  /** Every open connection, so close() can end them all itself rather than trust event-loop shutdown. */
  final ChannelGroup channels = new DefaultChannelGroup("mock-backend", GlobalEventExecutor.INSTANCE);
  final LongAdder requestsServed = new LongAdder();
  final LongAdder rejected = new LongAdder();

  MockState(MockBackendOptions options) {
    this.options = options;
    this.gate = new CapacityGate(options.capacity(), options.maxQueue());
  }
}
