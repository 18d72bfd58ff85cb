package dev.spillway.core.upstream.resilience;

import dev.spillway.core.config.EndpointAddress;
import dev.spillway.core.upstream.UpstreamTls;
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
import java.util.function.Consumer;

/**
 * One health probe: a fresh connection, {@code GET path HTTP/1.1} with {@code Connection: close}, and a
 * verdict once the whole response has arrived: passed for a 2xx, failed for anything else, a connect error,
 * a dropped connection or no complete answer within the timeout. The verdict is delivered exactly once, on
 * the bootstrap's event loop, and the connection is closed. Pipeline:
 * {@code [TLS →] HttpClientCodec → probe handler}; every message is released by the handler
 * ({@link SimpleChannelInboundHandler}).
 */
final class HealthProbe extends SimpleChannelInboundHandler<HttpObject> {
  private final Consumer<Boolean> verdict;
  private final FullHttpRequest request;
  private boolean done;
  private int status;
  private ScheduledFuture<?> timeout;

  private HealthProbe(Consumer<Boolean> verdict, FullHttpRequest request) {
    this.verdict = verdict;
    this.request = request;
  }

  static void run(Bootstrap bootstrap, EndpointAddress address, UpstreamTls tls, String path, Duration timeout,
      Consumer<Boolean> verdict) {
    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
    request.headers()
        .set(HttpHeaderNames.HOST, address.authority())
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
        .set(HttpHeaderNames.USER_AGENT, "spillway-health-check")
        .set(HttpHeaderNames.CONTENT_LENGTH, 0);
    HealthProbe probe = new HealthProbe(verdict, request);
    ChannelFuture connect = bootstrap.clone()
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new HttpClientCodec(), probe);
            if (tls != null) {
              // Requests written before the handshake ends wait in the TLS handler.
              tls.addHandler(ch, address);
            }
          }
        })
        .connect(InetSocketAddress.createUnresolved(address.host(), address.port()));
    Channel ch = connect.channel();
    probe.timeout = ch.eventLoop().schedule(() -> probe.finish(ch, false), timeout.toNanos(),
        TimeUnit.NANOSECONDS);
    connect.addListener(f -> {
      if (f.isSuccess()) {
        ch.writeAndFlush(probe.request).addListener(w -> {
          if (!w.isSuccess()) {
            probe.finish(ch, false);
          }
        });
      } else {
        probe.request.release();
        probe.finish(ch, false);
      }
    });
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
    if (msg instanceof HttpResponse response) {
      status = response.status().code();
    }
    if (msg instanceof LastHttpContent) {
      finish(ctx.channel(), status >= 200 && status < 300);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    finish(ctx.channel(), false);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    finish(ctx.channel(), false);
  }

  private void finish(Channel ch, boolean ok) {
    if (done) {
      return;
    }
    done = true;
    if (timeout != null) {
      timeout.cancel(false);
    }
    ch.close();
    verdict.accept(ok);
  }
}
