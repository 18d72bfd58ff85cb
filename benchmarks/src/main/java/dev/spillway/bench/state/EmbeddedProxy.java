package dev.spillway.bench.state;

import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.EndpointAddress;
import dev.spillway.core.config.RouteConfig;
import dev.spillway.core.config.RouteMatch;
import dev.spillway.core.config.ServerConfig;
import dev.spillway.core.proxy.ClientConnectionHandler;
import dev.spillway.core.proxy.ProxyContext;
import dev.spillway.core.routing.Route;
import dev.spillway.core.routing.Router;
import dev.spillway.core.server.GatewayChannelInitializer;
import dev.spillway.core.upstream.Backend;
import dev.spillway.core.upstream.ConnectionProvider;
import dev.spillway.core.upstream.Endpoint;
import dev.spillway.core.upstream.PoolCallback;
import dev.spillway.core.upstream.UpstreamConnection;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The gateway's real request path with both sockets replaced by {@code EmbeddedChannel}s:
 * <pre>
 *   client channel:  GatewayServerCodec → ClientConnectionHandler   (as GatewayChannelInitializer builds it)
 *   backend channel: HttpClientCodec → UpstreamHandler              (as UpstreamConnection.initPipeline builds it)
 * </pre>
 * It is also the {@link ConnectionProvider}: it lends the same backend connection to every exchange and takes
 * it back as its {@link UpstreamConnection.Owner}, so a run measures keep-alive reuse, not connecting.
 *
 * <p>Everything runs on the calling thread. A connection that was not returned clean (closed, or still lent)
 * fails the next acquire loudly, so a benchmark cannot silently measure an error path.
 */
public final class EmbeddedProxy implements ConnectionProvider, UpstreamConnection.Owner, AutoCloseable {
  private final ProxyContext context;
  private final EmbeddedChannel client;
  private final EmbeddedChannel backend;
  private final UpstreamConnection connection;
  private boolean lent;
  private final List<EmbeddedChannel> extraClients = new java.util.ArrayList<>();

  public EmbeddedProxy() throws Exception {
    this(BackendConfig.of("chat", List.of(new EndpointAddress("10.0.0.12", 8000))));
  }

  /** With this backend behind the route (its concurrency limit and waiting room, if it has them). */
  public EmbeddedProxy(BackendConfig chatConfig) throws Exception {
    ServerConfig server = ServerConfig.DEFAULTS;
    Backend chat = new Backend(chatConfig);
    Router router = new Router(List.of(new Route(new RouteConfig("chat", new RouteMatch(null, "/v1/"), "chat"),
        chat)));
    context = new ProxyContext(server, router, this);

    backend = unregistered();
    UpstreamConnection.initPipeline(backend.pipeline());
    backend.register();
    Endpoint endpoint = chat.endpoints().get(0);
    connection = UpstreamConnection.create(backend, endpoint, this);

    client = unregistered();
    client.pipeline().addLast("codec", GatewayChannelInitializer.newServerCodec(server));
    client.pipeline().addLast("proxy", new ClientConnectionHandler(context));
    // Registering after the handlers are in place fires channelActive, as on a real accepted connection.
    client.register();
  }

  /**
   * Another client connection to the same gateway (same routes and backend), for requests that must not queue
   * behind the first connection's exchange; closed with the proxy.
   */
  public EmbeddedChannel newClient() throws Exception {
    EmbeddedChannel ch = unregistered();
    ch.pipeline().addLast("codec", GatewayChannelInitializer.newServerCodec(context.server()));
    ch.pipeline().addLast("proxy", new ClientConnectionHandler(context));
    ch.register();
    extraClients.add(ch);
    return ch;
  }

  /** An inactive channel with AUTO_READ off, as the gateway configures its sockets. */
  private static EmbeddedChannel unregistered() {
    EmbeddedChannel ch = new EmbeddedChannel(false, false);
    ch.config().setAutoRead(false);
    return ch;
  }

  @Override
  public void acquire(EventLoop loop, Backend backend, Endpoint endpoint, PoolCallback callback) {
    if (lent || !connection.channel().isActive()) {
      throw new IllegalStateException("backend connection was not returned clean (lent: " + lent + ", active: "
          + connection.channel().isActive() + ")");
    }
    lent = true;
    callback.onAcquired(connection);
  }

  @Override
  public void release(UpstreamConnection returned) {
    lent = false;
    // Like the real pool: keep a read pending so an idle connection closed by the backend is noticed.
    returned.channel().read();
  }

  /** Bytes arriving on the client socket (one read). Takes ownership of {@code bytes}. */
  public void clientSends(ByteBuf bytes) {
    client.writeInbound(bytes);
  }

  /** Bytes arriving on the backend socket (one read). Takes ownership of {@code bytes}. */
  public void backendSends(ByteBuf bytes) {
    backend.writeInbound(bytes);
  }

  /** Releases what the gateway wrote to the backend and returns its size in bytes. */
  public long drainBackend() {
    return drain(backend);
  }

  /** Releases what the gateway wrote to the client and returns its size in bytes. */
  public long drainClient() {
    return drain(client);
  }

  /** What the gateway wrote to the backend, as text; for checks in {@code @Setup}, not for measuring. */
  public String drainBackendText() {
    return drainText(backend);
  }

  /** What the gateway wrote to the client, as text; for checks in {@code @Setup}, not for measuring. */
  public String drainClientText() {
    return drainText(client);
  }

  private static long drain(EmbeddedChannel ch) {
    long bytes = 0;
    Object msg;
    while ((msg = ch.readOutbound()) != null) {
      if (msg instanceof ByteBuf buf) {
        bytes += buf.readableBytes();
      }
      ReferenceCountUtil.release(msg);
    }
    return bytes;
  }

  private static String drainText(EmbeddedChannel ch) {
    StringBuilder sb = new StringBuilder();
    Object msg;
    while ((msg = ch.readOutbound()) != null) {
      if (msg instanceof ByteBuf buf) {
        sb.append(buf.toString(StandardCharsets.US_ASCII));
      }
      ReferenceCountUtil.release(msg);
    }
    return sb.toString();
  }

  /** Throws unless both connections are open, no exchange is running and the backend connection is home. */
  public void checkIdle() {
    if (!client.isActive() || !backend.isActive() || lent || context.activeExchanges() != 0) {
      throw new IllegalStateException("proxy not idle (client active: " + client.isActive() + ", backend active: "
          + backend.isActive() + ", lent: " + lent + ", exchanges: " + context.activeExchanges() + ")");
    }
  }

  @Override
  public void close() {
    for (EmbeddedChannel ch : extraClients) {
      ch.finishAndReleaseAll();
    }
    client.finishAndReleaseAll();
    backend.finishAndReleaseAll();
  }
}
