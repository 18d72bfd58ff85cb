package dev.spillway.bench.load;

import dev.spillway.core.time.Ticker;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs one exchange at a time on a client connection and records how it ended. Lives after
 * {@code HttpClientCodec}; everything runs on the connection's event loop, so the fields need no
 * synchronization. Every inbound message is released here.
 */
final class ExchangeHandler extends ChannelInboundHandlerAdapter {
  /** Spillway's shed answers say why in this header (nginx's do not). */
  private static final String SHED_REASON = "x-spillway-shed-reason";
  private final Ticker ticker;
  private final LoopPool pool;
  private Channel channel;
  private Target target;
  private LoadResult result;
  private boolean active;
  private boolean stream;
  private int kind;
  private final TokenCounter tokens = new TokenCounter();
  private long intendedNanos;
  private long sentNanos;
  private String shedReason;
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
    this.sentNanos = ticker.nanoTime();
    this.shedReason = null;
    this.stream = request.isStream();
    this.kind = request.kind();
    tokens.reset();
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
        if (LoadResult.isShed(status)) {
          shedReason = response.headers().get(SHED_REASON);
        }
        lastChunkNanos = now;
        if (!stream) {
          // A non-streamed answer's first token arrives with the response head (the whole answer is ready).
          firstTokenNanos = now;
        }
      }
      if (msg instanceof HttpContent content) {
        ByteBuf bytes = content.content();
        if (bytes.isReadable()) {
          maxGapNanos = Math.max(maxGapNanos, now - lastChunkNanos);
          lastChunkNanos = now;
          if (status >= 200 && status < 300) {
            int before = tokens.contents();
            tokens.scan(bytes);
            if (stream && tokens.contents() > before) {
              if (firstTokenNanos == -1) {
                firstTokenNanos = now;
              }
              result.streamedTokens(now, tokens.contents() - before);
            }
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
    result.response(intendedNanos, sentNanos, now, status, shedReason, stream, firstTokenNanos, maxGapNanos,
        tokens.tokens(stream), kind);
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
      if (result.isAbandoning()) {
        result.abandoned(intendedNanos, ticker.nanoTime(), stream, status >= 200 && status < 300 ? firstTokenNanos : -1);
      } else {
        result.ioError(intendedNanos);
      }
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Resets and decode errors end the exchange through channelInactive.
    ctx.close();
  }
}
