package dev.spillway.server.admin;

import dev.spillway.core.GatewayStartException;
import dev.spillway.core.transport.Transport;
import dev.spillway.server.config.AdminConfig;
import dev.spillway.server.statuspage.PublicStatusHandler;
import dev.spillway.server.statuspage.PublicStatusPage;
import dev.spillway.server.statuspage.PublicStatusServer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import dev.spillway.server.NettyThreads;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP server: its own listener and its own single event loop, so scrapes and the status page never
 * share threads (or a port) with proxied traffic. Listens on loopback unless configured otherwise.
 */
public final class AdminServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
  private static final int MAX_REQUEST = 8192;

  private final EventLoopGroup group;
  private final Channel channel;
  /** The public status page's own listener, or {@code null}. */
  private final PublicStatusServer publicServer;
  /** Set by the first {@link #closeAsync}. */
  private CompletableFuture<Void> closed;

  private AdminServer(AdminConfig config, AdminContent content, ConfigReloadAction reload)
      throws InterruptedException {
    Transport transport = Transport.select(true);
    this.group = transport.newGroup(1, "spillway-admin");
    PublicStatusPage publicPage = content.publicPage();
    PublicStatusHandler publicHandler = publicPage == null || publicPage.config().ownListener() ? null
        : new PublicStatusHandler(publicPage);
    AdminHandler handler = new AdminHandler(content, config.token(), page(), StaticAssets.load(), publicHandler,
        reload);
    ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(transport.serverChannelClass())
        .childHandler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new ReadTimeoutHandler(30, TimeUnit.SECONDS), new HttpServerCodec(4096, 8192, 8192),
                new HttpObjectAggregator(MAX_REQUEST), handler);
          }
        });
    try {
      this.channel = bootstrap.bind(config.host(), config.port()).sync().channel();
    } catch (Exception e) {
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw new GatewayStartException("admin server cannot listen on " + config.host() + ":" + config.port() + ": "
          + e.getMessage(), e);
    }
    log.info("admin server on http://{}:{}/ (token {})", config.host(), port(),
        config.token() == null ? "not required" : "required");
    if (publicPage != null && publicPage.config().ownListener()) {
      try {
        this.publicServer = PublicStatusServer.start(publicPage);
      } catch (RuntimeException e) {
        channel.close();
        group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
        throw e;
      }
    } else {
      this.publicServer = null;
      if (publicPage != null) {
        log.info("public status page on http://{}:{}{}/", config.host(), port(), publicPage.config().path());
      }
    }
  }

  /**
   * Starts the admin server and returns once it listens.
   *
   * @throws GatewayStartException if the port cannot be bound
   */
  public static AdminServer start(AdminConfig config, AdminContent content) throws InterruptedException {
    return new AdminServer(config, content, null);
  }

  /** As above, with {@code POST /config/reload} running {@code reload}. */
  public static AdminServer start(AdminConfig config, AdminContent content, ConfigReloadAction reload)
      throws InterruptedException {
    return new AdminServer(config, content, reload);
  }

  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /** The public status page's own port, or -1 when it has none. */
  public int publicPort() {
    return publicServer == null ? -1 : publicServer.port();
  }

  /** The status page's URL. */
  public String url() {
    InetSocketAddress a = (InetSocketAddress) channel.localAddress();
    return "http://" + a.getHostString() + ":" + a.getPort() + "/";
  }

  /**
   * Stops listening and stops the event loop; the future completes once the loop has terminated. Never blocks,
   * so it may be called from any thread; later calls return the same future.
   */
  public synchronized CompletableFuture<Void> closeAsync() {
    if (closed != null) {
      return closed;
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    closed = done;
    CompletableFuture<Void> publicClosed = publicServer == null ? CompletableFuture.completedFuture(null)
        : publicServer.closeAsync();
    channel.close().addListener(closed -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS)
        .addListener(terminated -> publicClosed.whenComplete((v, e) -> done.complete(null))));
    return done;
  }

  /**
   * Stops the admin server and waits for it, except on a Netty thread (an event loop or Netty's global
   * executor, where a shutdown future may complete), where waiting would deadlock: there it only starts the
   * close.
   */
  @Override
  public void close() {
    CompletableFuture<Void> done = closeAsync();
    if (!NettyThreads.isCurrent()) {
      done.join();
    }
  }

  private static byte[] page() {
    try (InputStream in = AdminServer.class.getResourceAsStream("status.html")) {
      if (in == null) {
        throw new IllegalStateException("status.html missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
