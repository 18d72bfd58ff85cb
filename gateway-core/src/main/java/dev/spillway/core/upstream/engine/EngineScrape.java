package dev.spillway.core.upstream.engine;

import dev.spillway.core.config.EndpointAddress;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One metrics scrape: a fresh connection, {@code GET path HTTP/1.1} with {@code Connection: close}, and the
 * body streamed through a {@link PrometheusTextParser} as it arrives, never held whole. The outcome is
 * delivered exactly once, on the bootstrap's event loop, and the connection is closed: success once the whole
 * 2xx body is read; failure on a connect error, a non-2xx status, a body over {@code maxBytes}, a dropped
 * connection or no complete answer within {@code timeout}. Pipeline: {@code HttpClientCodec → scrape handler};
 * every message is released by the handler ({@link SimpleChannelInboundHandler}).
 */
final class EngineScrape extends SimpleChannelInboundHandler<HttpObject> {
  /** Hears how a scrape ended; {@code error} is {@code null} on success. */
  @FunctionalInterface
  interface Outcome {
    void done(PrometheusTextParser parser, String error);
  }

  private final PrometheusTextParser parser;
  private final long maxBytes;
  private final Outcome outcome;
  private final FullHttpRequest request;
  private boolean done;
  private long received;
  private ScheduledFuture<?> timeout;

  private EngineScrape(PrometheusTextParser parser, long maxBytes, Outcome outcome, FullHttpRequest request) {
    this.parser = parser;
    this.maxBytes = maxBytes;
    this.outcome = outcome;
    this.request = request;
  }

  static void run(Bootstrap bootstrap, EndpointAddress address, String path, Duration timeout, long maxBytes,
      PrometheusTextParser parser, Outcome outcome) {
    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
    request.headers()
        .set(HttpHeaderNames.HOST, address.authority())
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
        .set(HttpHeaderNames.ACCEPT, "text/plain")
        .set(HttpHeaderNames.USER_AGENT, "spillway-engine-metrics")
        .set(HttpHeaderNames.CONTENT_LENGTH, 0);
    EngineScrape scrape = new EngineScrape(parser, maxBytes, outcome, request);
    ChannelFuture connect = bootstrap.clone()
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, Math.min(Integer.MAX_VALUE,
            timeout.toMillis())))
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new HttpClientCodec(), scrape);
          }
        })
        .connect(InetSocketAddress.createUnresolved(address.host(), address.port()));
    Channel ch = connect.channel();
    scrape.timeout = ch.eventLoop().schedule(() -> scrape.finish(ch, "no complete answer within "
        + timeout.toMillis() + " ms"), timeout.toNanos(), TimeUnit.NANOSECONDS);
    connect.addListener(f -> {
      if (f.isSuccess()) {
        ch.writeAndFlush(scrape.request).addListener(w -> {
          if (!w.isSuccess()) {
            scrape.finish(ch, "request not sent: " + w.cause());
          }
        });
      } else {
        scrape.request.release();
        scrape.finish(ch, "connect failed: " + f.cause());
      }
    });
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
    if (done) {
      return;
    }
    if (msg instanceof HttpResponse response) {
      int status = response.status().code();
      if (status < 200 || status >= 300) {
        finish(ctx.channel(), "status " + status);
        return;
      }
    }
    if (msg instanceof HttpContent content) {
      received += content.content().readableBytes();
      if (received > maxBytes) {
        finish(ctx.channel(), "answer over " + maxBytes + " bytes");
        return;
      }
      parser.feed(content.content());
    }
    if (msg instanceof LastHttpContent) {
      parser.finish();
      finish(ctx.channel(), null);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    finish(ctx.channel(), "connection closed before the answer ended");
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    finish(ctx.channel(), "failed: " + cause);
  }

  private void finish(Channel ch, String error) {
    if (done) {
      return;
    }
    done = true;
    if (timeout != null) {
      timeout.cancel(false);
    }
    ch.close();
    outcome.done(parser, error);
  }
}
