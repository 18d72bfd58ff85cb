package dev.spillway.core.upstream;

import io.netty.channel.EventLoop;

/**
 * Where exchanges get backend connections. {@link UpstreamPools} is the real one; tests and benchmarks plug
 * in connections over {@code EmbeddedChannel}s built with {@link UpstreamConnection#create}.
 */
public interface ConnectionProvider {

  /**
   * Lends a connection to {@code endpoint} for a request running on {@code loop}; must be called on
   * {@code loop}, and calls back on it exactly once.
   */
  void acquire(EventLoop loop, Backend backend, Endpoint endpoint, PoolCallback callback);
}
