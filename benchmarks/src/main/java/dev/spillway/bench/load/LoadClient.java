package dev.spillway.bench.load;

import dev.spillway.core.time.Ticker;
import dev.spillway.core.transport.Transport;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Netty HTTP/1.1 client for load generation, on the project's own {@link Transport} (epoll where
 * available). Requests are spread round-robin over its event loops; each loop keeps its own keep-alive
 * connections, one per in-flight request, capped in total at {@code maxConnections}. It can therefore hold
 * thousands of concurrent SSE streams on a few threads.
 */
public final class LoadClient implements AutoCloseable {
  private final EventLoopGroup group;
  private final List<LoopPool> pools = new ArrayList<>();
  private final AtomicInteger connections = new AtomicInteger();
  private int nextPool;

  /** A client with {@code threads} event loops and at most {@code maxConnections} connections open. */
  public LoadClient(int threads, int maxConnections, Ticker ticker) {
    Transport transport = Transport.select(true);
    group = transport.newGroup(threads, "loadgen");
    for (EventExecutor executor : group) {
      pools.add(new LoopPool((EventLoop) executor, transport.socketChannelClass(), ticker, connections,
          maxConnections));
    }
  }

  /**
   * Sends one request, intended to start at {@code intendedNanos}, and records its outcome in
   * {@code result}; a response not complete {@code timeoutNanos} after the intended start is a timeout.
   * Called from the dispatching thread only.
   */
  public void send(Target target, ChatRequest request, long intendedNanos, LoadResult result, long timeoutNanos) {
    LoopPool pool = pools.get(nextPool);
    nextPool = (nextPool + 1) % pools.size();
    result.sent();
    pool.loop().execute(() -> pool.send(target, request, intendedNanos, result, timeoutNanos));
  }

  /** Connections open now, busy and idle. */
  public int openConnections() {
    return connections.get();
  }

  /** Closes every idle connection, so the next run starts cold against its target. */
  public void closeIdle() {
    onEveryLoop(LoopPool::closeIdle);
  }

  /** Closes every connection, busy ones too: the exchanges still running end as the client giving up. */
  public void closeAll() {
    onEveryLoop(LoopPool::closeAll);
  }

  private void onEveryLoop(java.util.function.Consumer<LoopPool> action) {
    List<CompletableFuture<Void>> done = new ArrayList<>();
    for (LoopPool pool : pools) {
      CompletableFuture<Void> f = new CompletableFuture<>();
      pool.loop().execute(() -> {
        action.accept(pool);
        f.complete(null);
      });
      done.add(f);
    }
    try {
      CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      // An overloaded generator's loops are behind on sends: say so, and let the run carry on.
      System.err.println("!! load client: event loops did not get to closing connections within 30 s "
          + "(the generator is overloaded; its numbers are not to be trusted)");
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
