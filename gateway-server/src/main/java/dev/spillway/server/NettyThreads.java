package dev.spillway.server;

import io.netty.util.concurrent.FastThreadLocalThread;
import io.netty.util.internal.ThreadExecutorMap;

/** Tells whether the current thread belongs to Netty, where blocking on a Netty future is forbidden. */
public final class NettyThreads {
  private NettyThreads() {}

  /**
   * Whether the current thread runs a Netty executor (an event loop, or the global executor that completes
   * event-loop-group termination futures).
   */
  public static boolean isCurrent() {
    return ThreadExecutorMap.currentExecutor() != null || Thread.currentThread() instanceof FastThreadLocalThread;
  }
}
