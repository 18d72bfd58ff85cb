package dev.spillway.core.upstream;

import io.netty.resolver.AddressResolverGroup;
import java.net.InetSocketAddress;
import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.ChannelGroupFuture;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * All backend connection pools, one per (event loop, endpoint). A request always borrows from the pool of its
 * own event loop, so client and backend connection share a thread (STYLE.md practice 13).
 */
public final class UpstreamPools implements ConnectionProvider {
  private final Transport transport;
  private final ConcurrentHashMap<EventLoop, Map<Endpoint, EndpointPool>> byLoop = new ConcurrentHashMap<>();
  /** Every backend connection, so shutdown closes them itself rather than trust event-loop shutdown. */
  private final ChannelGroup channels = new DefaultChannelGroup("spillway-upstream", GlobalEventExecutor.INSTANCE);

  /** Endpoint names are resolved asynchronously on the connecting loop (never a blocking lookup). */
  private final AddressResolverGroup<InetSocketAddress> resolver;

  public UpstreamPools(Transport transport) {
    this.transport = transport;
    this.resolver = EndpointResolver.newGroup(transport);
  }

  @Override
  public void acquire(EventLoop loop, Backend backend, Endpoint endpoint, PoolCallback callback) {
    poolFor(loop, backend, endpoint).acquire(callback);
  }

  private EndpointPool poolFor(EventLoop loop, Backend backend, Endpoint endpoint) {
    Map<Endpoint, EndpointPool> pools = byLoop.get(loop);
    if (pools == null) {
      pools = new HashMap<>();
      Map<Endpoint, EndpointPool> raced = byLoop.putIfAbsent(loop, pools);
      if (raced != null) {
        pools = raced;
      }
    }
    EndpointPool pool = pools.get(endpoint);
    if (pool == null) {
      pool = new EndpointPool(endpoint, loop, bootstrap(loop, backend, endpoint), backend.config().pool());
      pools.put(endpoint, pool);
    }
    return pool;
  }

  private Bootstrap bootstrap(EventLoop loop, Backend backend, Endpoint endpoint) {
    BackendConfig config = backend.config();
    UpstreamTls tls = backend.tls();
    return new Bootstrap()
        .group(loop)
        .channel(transport.socketChannelClass())
        .resolver(resolver)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
            config.connectTimeout().toMillis()))
        .option(ChannelOption.AUTO_READ, false)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.SO_KEEPALIVE, true)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            channels.add(ch);
            UpstreamConnection.initPipeline(ch.pipeline());
            if (tls != null) {
              tls.addHandler(ch, endpoint.address());
            }
          }
        });
  }

  /**
   * Retires the pools of {@code endpoints} on every loop (a removed endpoint, or one whose connection settings
   * a reload changed): idle connections close, lent ones close when their request ends, and the next request
   * to such an endpoint, if any, gets a new pool.
   */
  public void retire(java.util.Collection<Endpoint> endpoints) {
    if (endpoints.isEmpty()) {
      return;
    }
    java.util.List<Endpoint> copy = java.util.List.copyOf(endpoints);
    byLoop.forEach((loop, pools) -> {
      if (loop.isShuttingDown()) {
        return; // shutdown closes every connection anyway
      }
      loop.execute(() -> {
        for (Endpoint endpoint : copy) {
          EndpointPool pool = pools.remove(endpoint);
          if (pool != null) {
            pool.retire();
          }
        }
      });
    });
  }

  /** Closes every backend connection and the DNS resolvers; used at the end of shutdown. */
  public ChannelGroupFuture closeAll() {
    ChannelGroupFuture closed = channels.close();
    resolver.close();
    return closed;
  }

  /** The resolver group every bootstrap uses; for tests. */
  AddressResolverGroup<InetSocketAddress> resolver() {
    return resolver;
  }

  /** Open connections (idle, lent and connecting) to {@code endpoint} from {@code loop}; for tests and metrics. */
  public int openConnections(EventLoop loop, Endpoint endpoint) {
    Map<Endpoint, EndpointPool> pools = byLoop.get(loop);
    EndpointPool pool = pools == null ? null : pools.get(endpoint);
    return pool == null ? 0 : pool.openConnections();
  }
}
