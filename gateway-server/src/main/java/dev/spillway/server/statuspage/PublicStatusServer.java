package dev.spillway.server.statuspage;

import dev.spillway.core.GatewayStartException;
import dev.spillway.core.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public status page on a listener of its own ({@code status.public.port}), with its own single event loop:
 * it can face the internet while the admin API stays on loopback. Read-only; request bodies are refused.
 */
public final class PublicStatusServer {
  private static final Logger log = LoggerFactory.getLogger(PublicStatusServer.class);

  private final EventLoopGroup group;
  private final Channel channel;

  private PublicStatusServer(PublicStatusPage page) throws InterruptedException {
    Transport transport = Transport.select(true);
    this.group = transport.newGroup(1, "spillway-status-page");
    PublicStatusHandler handler = new PublicStatusHandler(page);
    ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(transport.serverChannelClass())
        .childHandler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new ReadTimeoutHandler(30, TimeUnit.SECONDS), new HttpServerCodec(4096, 8192, 8192),
                new HttpObjectAggregator(0), handler);
          }
        });
    String host = page.config().host();
    int port = page.config().port();
    try {
      this.channel = bootstrap.bind(host, port).sync().channel();
    } catch (Exception e) {
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw new GatewayStartException("public status page cannot listen on " + host + ":" + port + ": "
          + e.getMessage(), e);
    }
    log.info("public status page on http://{}:{}{}", host, port(), page.config().path());
  }

  /**
   * Starts listening and returns once it does.
   *
   * @throws GatewayStartException if the port cannot be bound
   */
  public static PublicStatusServer start(PublicStatusPage page) throws InterruptedException {
    return new PublicStatusServer(page);
  }

  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /** Stops listening and the event loop; never blocks. */
  public CompletableFuture<Void> closeAsync() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    channel.close().addListener(closed -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS)
        .addListener(terminated -> done.complete(null)));
    return done;
  }
}
