package dev.spillway.bench.load;

import dev.spillway.core.time.Ticker;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Runs one exchange at a time on a client connection and records how it ended. Lives after
 * {@code HttpClientCodec}; everything runs on the connection's event loop, so the fields need no
 * synchronization. Every inbound message is released here.
 */
final class ExchangeHandler extends ChannelInboundHandlerAdapter {
  private static final ByteBuf DATA = Unpooled.unreleasableBuffer(
      Unpooled.wrappedBuffer("data:".getBytes(StandardCharsets.US_ASCII)));

  private final Ticker ticker;
  private final LoopPool pool;
  private Channel channel;
  private Target target;
  private LoadResult result;
  private boolean active;
  private boolean stream;
  private long intendedNanos;
  private int status;
  private boolean keepAlive;
  private long firstTokenNanos;
  private long lastChunkNanos;
  private long maxGapNanos;
  private ScheduledFuture<?> timeout;

  ExchangeHandler(Ticker ticker, LoopPool pool) {
    this.ticker = ticker;
    this.pool = pool;
  }

  /** Writes {@code request} on {@code ch}, which must be idle, and arms the client timeout. */
  void start(Channel ch, Target target, ChatRequest request, long intendedNanos, LoadResult result,
      long timeoutNanos) {
    this.channel = ch;
    this.target = target;
    this.result = result;
    this.intendedNanos = intendedNanos;
    this.stream = request.isStream();
    active = true;
    status = 0;
    keepAlive = true;
    firstTokenNanos = -1;
    lastChunkNanos = 0;
    maxGapNanos = 0;
    long remaining = intendedNanos + timeoutNanos - ticker.nanoTime();
    timeout = ch.eventLoop().schedule(this::onTimeout, Math.max(0, remaining), TimeUnit.NANOSECONDS);
    ch.writeAndFlush(request.newRequest(target)).addListener(f -> {
      if (!f.isSuccess()) {
        ch.close();
      }
    });
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (!active) {
        return;
      }
      long now = ticker.nanoTime();
      if (msg instanceof HttpResponse response) {
        status = response.status().code();
        keepAlive = HttpUtil.isKeepAlive(response);
        lastChunkNanos = now;
      }
      if (msg instanceof HttpContent content) {
        ByteBuf bytes = content.content();
        if (bytes.isReadable()) {
          maxGapNanos = Math.max(maxGapNanos, now - lastChunkNanos);
          lastChunkNanos = now;
          if (stream && firstTokenNanos == -1 && ByteBufUtil.indexOf(DATA, bytes) >= 0) {
            firstTokenNanos = now;
          }
        }
        if (msg instanceof LastHttpContent) {
          finish(now);
        }
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void finish(long now) {
    active = false;
    timeout.cancel(false);
    result.response(intendedNanos, now, status, firstTokenNanos, maxGapNanos);
    if (keepAlive && channel.isActive()) {
      pool.release(target, channel);
    } else {
      channel.close();
    }
  }

  private void onTimeout() {
    if (active) {
      active = false;
      result.timeout(intendedNanos);
      channel.close();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (active) {
      active = false;
      timeout.cancel(false);
      result.ioError(intendedNanos);
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Resets and decode errors end the exchange through channelInactive.
    ctx.close();
  }
}
