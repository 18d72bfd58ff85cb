package dev.spillway.server.warmup;

import dev.spillway.core.upstream.Backend;
import dev.spillway.core.upstream.ConnectionProvider;
import dev.spillway.core.upstream.Endpoint;
import dev.spillway.core.upstream.PoolCallback;
import io.netty.channel.EventLoop;
import java.net.ConnectException;

/**
 * The warm-up's backend connections: there are none. Every request is meant to be answered before it needs
 * one; should a request ever get that far, it is refused here (and counted) instead of reaching a backend.
 */
final class RefusedConnections implements ConnectionProvider {
  private int refused;

  @Override
  public void acquire(EventLoop loop, Backend backend, Endpoint endpoint, PoolCallback callback) {
    refused++;
    callback.onAcquireFailed(new ConnectException("the start-up warm-up never connects to a backend"));
  }

  /** Connections asked for (and refused); the warm-up's requests never ask for one. */
  int refused() {
    return refused;
  }
}
