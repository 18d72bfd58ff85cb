package dev.spillway.core.upstream;

import dev.spillway.core.config.PoolConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/**
 * Keep-alive connections to one endpoint, owned by one event loop: every method runs on that loop, so there
 * are no locks. Idle connections are reused most-recent-first, so a quiet pool lets its oldest connections
 * age out; an eviction task closes connections idle longer than {@link PoolConfig#idleTimeout()}.
 */
final class EndpointPool implements UpstreamConnection.Owner {
  private final Endpoint endpoint;
  private final EventLoop loop;
  private final Bootstrap bootstrap;
  private final int maxConnections;
  private final long idleTimeoutNanos;
  private final ArrayDeque<UpstreamConnection> idle = new ArrayDeque<>();
  /** Connections counted against the limit: idle, lent out and still connecting. */
  private int open;
  private ScheduledFuture<?> evictionTask;
  /** Set once the pool is retired (endpoint removed or its connection settings changed): nothing goes back idle. */
  private boolean retired;

  EndpointPool(Endpoint endpoint, EventLoop loop, Bootstrap bootstrap, PoolConfig config) {
    this.endpoint = endpoint;
    this.loop = loop;
    this.bootstrap = bootstrap;
    this.maxConnections = config.maxConnections();
    this.idleTimeoutNanos = config.idleTimeout().toNanos();
  }

  Endpoint endpoint() {
    return endpoint;
  }

  /** Lends an idle connection, or connects a new one, or fails when at the limit. */
  void acquire(PoolCallback callback) {
    UpstreamConnection conn;
    while ((conn = idle.pollFirst()) != null) {
      if (conn.channel().isActive()) {
        callback.onAcquired(conn);
        return;
      }
    }
    if (open >= maxConnections) {
      callback.onAcquireFailed(PoolExhaustedException.INSTANCE);
      return;
    }
    open++;
    ChannelFuture connect = bootstrap.connect(endpoint.socketAddress());
    Channel channel = connect.channel();
    channel.closeFuture().addListener(f -> onClosed(channel));
    connect.addListener((ChannelFuture f) -> {
      if (!f.isSuccess()) {
        callback.onAcquireFailed(f.cause());
        return;
      }
      SslHandler tls = UpstreamTls.handlerOf(channel);
      if (tls == null) {
        callback.onAcquired(UpstreamConnection.create(channel, endpoint, this));
        return;
      }
      // Lent only once the handshake succeeded; a failed handshake is a failed connect.
      tls.handshakeFuture().addListener(h -> {
        if (h.isSuccess()) {
          callback.onAcquired(UpstreamConnection.create(channel, endpoint, this));
        } else {
          channel.close();
          callback.onAcquireFailed(h.cause());
        }
      });
    });
  }

  @Override
  public void release(UpstreamConnection conn) {
    Channel ch = conn.channel();
    if (!ch.isActive()) {
      return;
    }
    if (retired) {
      ch.close();
      return;
    }
    conn.markIdle(loop.ticker().nanoTime());
    idle.addFirst(conn);
    // Keep a read pending so a backend that closes an idle connection is noticed at once.
    ch.read();
    scheduleEviction();
  }

  private void onClosed(Channel channel) {
    open--;
    for (Iterator<UpstreamConnection> it = idle.iterator(); it.hasNext(); ) {
      if (it.next().channel() == channel) {
        it.remove();
        break;
      }
    }
  }

  private void scheduleEviction() {
    if (evictionTask == null) {
      long period = Math.max(idleTimeoutNanos / 2, TimeUnit.MILLISECONDS.toNanos(100));
      evictionTask = loop.schedule(this::evictIdle, period, TimeUnit.NANOSECONDS);
    }
  }

  private void evictIdle() {
    evictionTask = null;
    long now = loop.ticker().nanoTime();
    // Oldest are at the tail.
    UpstreamConnection conn;
    while ((conn = idle.peekLast()) != null && now - conn.idleSinceNanos() >= idleTimeoutNanos) {
      idle.pollLast();
      conn.channel().close();
    }
    if (!idle.isEmpty()) {
      scheduleEviction();
    }
  }

  /**
   * Retires the pool on its loop: idle connections close now, lent ones when they come back, so requests using
   * them run to their end.
   */
  void retire() {
    retired = true;
    if (evictionTask != null) {
      evictionTask.cancel(false);
      evictionTask = null;
    }
    UpstreamConnection conn;
    while ((conn = idle.pollFirst()) != null) {
      conn.channel().close();
    }
  }

  /** Connections counted against the limit (idle, lent and connecting). */
  int openConnections() {
    return open;
  }

  int idleConnections() {
    return idle.size();
  }
}
