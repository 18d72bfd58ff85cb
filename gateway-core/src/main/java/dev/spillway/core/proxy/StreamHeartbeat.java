package dev.spillway.core.proxy;

import dev.spillway.core.llm.SseHeartbeat;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Sends an SSE comment ({@code : keep-alive}) to a streaming client whenever the backend has been silent for
 * {@code stream.heartbeatInterval}, so proxies and clients in between do not time the stream out while a
 * model thinks. Only between events: a comment inside an event would break it in two. One re-arming task on
 * the client's event loop; data from the backend only moves a timestamp.
 */
final class StreamHeartbeat {
  private final ChannelHandlerContext ctx;
  private final long intervalNanos;
  private final SseHeartbeat boundary = new SseHeartbeat();
  private long lastDataNanos;
  private ScheduledFuture<?> task;
  private boolean stopped;

  StreamHeartbeat(ChannelHandlerContext ctx, long intervalNanos) {
    this.ctx = ctx;
    this.intervalNanos = intervalNanos;
  }

  void start() {
    lastDataNanos = now();
    schedule(intervalNanos);
  }

  /** Stream bytes on their way to the client: not silent, and maybe mid-event. */
  void onData(ByteBuf bytes) {
    boundary.observe(bytes);
    lastDataNanos = now();
  }

  private void tick() {
    task = null;
    if (stopped) {
      return;
    }
    long quiet = now() - lastDataNanos;
    if (quiet >= intervalNanos && boundary.atEventBoundary()) {
      ctx.writeAndFlush(SseHeartbeat.content());
      lastDataNanos = now();
      quiet = 0;
    }
    schedule(Math.max(1, intervalNanos - quiet));
  }

  private void schedule(long delayNanos) {
    task = ctx.executor().schedule(this::tick, delayNanos, TimeUnit.NANOSECONDS);
  }

  void stop() {
    stopped = true;
    if (task != null) {
      task.cancel(false);
      task = null;
    }
  }

  private long now() {
    return ctx.executor().ticker().nanoTime();
  }
}
