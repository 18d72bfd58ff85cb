package dev.spillway.bench.load;

import dev.spillway.core.time.Ticker;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The keep-alive connections of one event loop: idle connections per target, reused newest first. Only its
 * own event loop touches it. New connections are opened while the client-wide count is under its cap; past
 * it a request is counted as client-limited rather than queued, so the generator never hides overload.
 */
final class LoopPool {
  private final EventLoop loop;
  private final Ticker ticker;
  private final AtomicInteger connections;
  private final int maxConnections;
  private final Bootstrap bootstrap;
  private final Map<Target, ArrayDeque<Channel>> idle = new HashMap<>();
  /** Every open connection of this loop, busy or idle. */
  private final Set<Channel> open = new HashSet<>();

  LoopPool(EventLoop loop, Class<? extends Channel> channelClass, Ticker ticker, AtomicInteger connections,
      int maxConnections) {
    this.loop = loop;
    this.ticker = ticker;
    this.connections = connections;
    this.maxConnections = maxConnections;
    LoopPool pool = this;
    bootstrap = new Bootstrap().group(loop).channel(channelClass)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2000)
        .handler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new HttpClientCodec(), new ExchangeHandler(pool.ticker, pool));
          }
        });
  }

  EventLoop loop() {
    return loop;
  }

  /** Starts one exchange; must run on this pool's event loop. */
  void send(Target target, ChatRequest request, long intendedNanos, LoadResult result, long timeoutNanos) {
    ArrayDeque<Channel> queue = idle.get(target);
    Channel ch;
    while (queue != null && (ch = queue.pollLast()) != null) {
      if (ch.isActive()) {
        ch.pipeline().get(ExchangeHandler.class).start(ch, target, request, intendedNanos, result, timeoutNanos);
        return;
      }
    }
    if (connections.incrementAndGet() > maxConnections) {
      connections.decrementAndGet();
      result.clientLimited(intendedNanos);
      return;
    }
    ChannelFuture connect = bootstrap.connect(target.host(), target.port());
    Channel opened = connect.channel();
    open.add(opened);
    opened.closeFuture().addListener(f -> {
      connections.decrementAndGet();
      open.remove(opened);
    });
    connect.addListener(f -> {
      if (f.isSuccess()) {
        Channel c = connect.channel();
        c.pipeline().get(ExchangeHandler.class).start(c, target, request, intendedNanos, result, timeoutNanos);
      } else {
        result.connectError(intendedNanos);
      }
    });
  }

  /** Takes back a connection whose exchange completed with keep-alive. */
  void release(Target target, Channel ch) {
    idle.computeIfAbsent(target, t -> new ArrayDeque<>()).addLast(ch);
  }

  /** Closes every connection, busy ones too, ending their exchanges; must run on this pool's event loop. */
  void closeAll() {
    for (Channel ch : new ArrayList<>(open)) {
      ch.close();
    }
    idle.clear();
  }

  /** Closes every idle connection; must run on this pool's event loop. */
  void closeIdle() {
    for (ArrayDeque<Channel> queue : idle.values()) {
      for (Channel ch : queue) {
        ch.close();
      }
    }
    idle.clear();
  }
}
