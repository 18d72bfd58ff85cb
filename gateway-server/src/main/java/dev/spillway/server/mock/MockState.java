package dev.spillway.server.mock;

import dev.spillway.server.mock.engine.LlmEngine;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.concurrent.atomic.LongAdder;

/**
 * What all connections of one {@link MockBackend} share: its options, its capacity gate and latency draws (fixed
 * engine) or its simulated LLM engine, and its counters.
 */
final class MockState {
  final MockBackendOptions options;
  final CapacityGate gate;
  /** Each fixed-engine request's latency, jittered if the options say so. */
  final JitteredLatency latency;
  /** The simulated LLM engine, or {@code null} for the fixed-capacity mock. */
  final LlmEngine engine;
  final LongAdder connectionsAccepted = new LongAdder();
  /** Every open connection, so close() can end them all itself rather than trust event-loop shutdown. */
  final ChannelGroup channels = new DefaultChannelGroup("mock-backend", GlobalEventExecutor.INSTANCE);
  final LongAdder requestsServed = new LongAdder();
  final LongAdder rejected = new LongAdder();

  MockState(MockBackendOptions options, LlmEngine engine) {
    this.options = options;
    this.engine = engine;
    this.gate = new CapacityGate(options.capacity(), options.maxQueue());
    this.latency = new JitteredLatency(options.latency(), options.latencyJitter(), options.seed());
  }

  int inFlight() {
    return engine != null ? engine.stats().running() : gate.inFlight();
  }

  int queued() {
    return engine != null ? engine.stats().waiting() : gate.queued();
  }
}
