package dev.spillway.core.proxy;

import dev.spillway.core.Gateway;
import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.EndpointAddress;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.config.RouteConfig;
import dev.spillway.core.config.RouteMatch;
import dev.spillway.core.config.ServerConfig;
import dev.spillway.core.routing.Route;
import dev.spillway.core.routing.Router;
import dev.spillway.core.server.GatewayChannelInitializer;
import dev.spillway.core.time.Tickers;
import dev.spillway.core.upstream.Backend;
import dev.spillway.core.upstream.ConnectionProvider;
import dev.spillway.core.upstream.Endpoint;
import dev.spillway.core.upstream.PoolCallback;
import dev.spillway.core.upstream.UpstreamConnection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The whole proxy path on two kinds of {@link EmbeddedChannel}: one client connection running the real
 * pipeline, and backend connections handed out by this {@link ConnectionProvider}. Tests speak raw HTTP bytes on
 * both sides, so they see exactly what goes over each wire.
 */
final class EmbeddedProxy implements ConnectionProvider, AutoCloseable {
  final ProxyContext context;
  final EmbeddedChannel client;
  final List<EmbeddedChannel> upstreams = new ArrayList<>();
  private final ArrayDeque<UpstreamConnection> idle = new ArrayDeque<>();
  int released;
  /** When set, the next acquire fails with it. */
  Throwable connectFailure;
  /** When true, acquires wait in {@link #pendingAcquires} until {@link #completeConnect()}. */
  boolean deferConnect;
  final ArrayDeque<Object[]> pendingAcquires = new ArrayDeque<>();
  /** The endpoint of every connection asked for, in order. */
  final List<Endpoint> connectedTo = new ArrayList<>();

  EmbeddedProxy(ServerConfig server, BackendConfig... backends) {
    this(server, routesFor(backends), backends);
  }

  /**
   * The whole gateway config, admission included; its time is the first client channel's event loop, so
   * {@link #advance} moves buckets, queues and timeouts together.
   */
  EmbeddedProxy(GatewayConfig config) {
    this(config, dev.spillway.core.observe.GatewayObserver.NOOP);
  }

  EmbeddedProxy(GatewayConfig config, dev.spillway.core.observe.GatewayObserver observer) {
    this(config, observer, dev.spillway.core.overload.OverloadManager.disabled());
  }

  /** With the gateway's overload manager (tests drive its pressure through a fake memory source). */
  EmbeddedProxy(GatewayConfig config, dev.spillway.core.overload.OverloadManager overload) {
    this(config, dev.spillway.core.observe.GatewayObserver.NOOP, overload);
  }

  private EmbeddedProxy(GatewayConfig config, dev.spillway.core.observe.GatewayObserver observer,
      dev.spillway.core.overload.OverloadManager overload) {
    this.client = newChannel();
    Router router = Gateway.buildRouter(config, Tickers.of(client.eventLoop()));
    this.context = new ProxyContext(config.server(), router, this, observer, overload);
    addHandlers(client);
  }

  /** With the operator's incident controls, attached to this proxy's routing and config. */
  EmbeddedProxy(GatewayConfig config, dev.spillway.core.observe.GatewayObserver observer,
      dev.spillway.core.incident.IncidentOverrides overrides) {
    this.client = newChannel();
    Router router = Gateway.buildRouter(config, Tickers.of(client.eventLoop()));
    this.context = new ProxyContext(config.server(), router, this, observer,
        dev.spillway.core.overload.OverloadManager.disabled(), overrides);
    overrides.attach(context::router, () -> config);
    addHandlers(client);
  }

  /** Another client connection to the same gateway (its own channel, same context and backends). */
  EmbeddedChannel newClient() {
    EmbeddedChannel ch = newChannel();
    addHandlers(ch);
    extraClients.add(ch);
    return ch;
  }

  private static EmbeddedChannel newChannel() {
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.config().setAutoRead(false);
    ch.freezeTime();
    return ch;
  }

  private void addHandlers(EmbeddedChannel ch) {
    ch.pipeline().addLast(GatewayChannelInitializer.newServerCodec(context.server()));
    ch.pipeline().addLast(new ClientConnectionHandler(context));
  }

  EmbeddedProxy(ServerConfig server, List<RouteConfig> routes, BackendConfig... backends) {
    Map<String, BackendConfig> byName = new LinkedHashMap<>();
    for (BackendConfig b : backends) {
      byName.put(b.name(), b);
    }
    GatewayConfig config = new GatewayConfig(server, byName, routes);
    this.client = newChannel();
    Router router = Gateway.buildRouter(config, Tickers.of(client.eventLoop()));
    this.context = new ProxyContext(server, router, this);
    addHandlers(client);
  }

  static EmbeddedProxy withDefaults() {
    return new EmbeddedProxy(ServerConfig.DEFAULTS, backend("primary"));
  }

  /** A route that never retries, so request bodies stream to the backend as they arrive. */
  static EmbeddedProxy withoutRetries() {
    return new EmbeddedProxy(ServerConfig.DEFAULTS, List.of(new RouteConfig("all", new RouteMatch(null, "/"),
        "primary").withRetry(dev.spillway.core.config.RetryConfig.DISABLED)), backend("primary"));
  }

  static BackendConfig backend(String name) {
    return BackendConfig.of(name, List.of(new EndpointAddress("10.0.0.11", 8000)));
  }

  private static List<RouteConfig> routesFor(BackendConfig[] backends) {
    return List.of(new RouteConfig("all", new RouteMatch(null, "/"), backends[0].name()));
  }

  @Override
  public void acquire(EventLoop loop, Backend backend, Endpoint endpoint, PoolCallback callback) {
    connectedTo.add(endpoint);
    if (connectFailure != null) {
      Throwable failure = connectFailure;
      connectFailure = null;
      callback.onAcquireFailed(failure);
      return;
    }
    if (deferConnect) {
      pendingAcquires.add(new Object[] {endpoint, callback});
      return;
    }
    connect(endpoint, callback);
  }

  void completeConnect() {
    Object[] pending = pendingAcquires.poll();
    connect((Endpoint) pending[0], (PoolCallback) pending[1]);
  }

  private void connect(Endpoint endpoint, PoolCallback callback) {
    UpstreamConnection conn;
    while ((conn = idle.poll()) != null) {
      if (conn.channel().isActive()) {
        callback.onAcquired(conn);
        return;
      }
    }
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.config().setAutoRead(false);
    UpstreamConnection.initPipeline(ch.pipeline());
    upstreams.add(ch);
    callback.onAcquired(UpstreamConnection.create(ch, endpoint, c -> {
      released++;
      idle.add(c);
    }));
  }

  /** Sends raw bytes from the client. */
  void clientSends(String raw) {
    send(client, raw);
  }

  static void send(EmbeddedChannel ch, String raw) {
    if (!ch.isOpen()) {
      // writeInbound would throw without releasing the buffer; fail the test without a leak report.
      throw new AssertionError("cannot send on closed channel " + ch + ": " + raw.lines().findFirst().orElse(""));
    }
    ch.writeInbound(pooled(raw));
  }

  /**
   * Bytes in a pooled direct buffer, as a real socket read delivers them: unlike unpooled heap buffers these
   * are tracked by the (paranoid) leak detector, so a buffer lost on any proxy path fails the test.
   */
  static ByteBuf pooled(String raw) {
    byte[] bytes = raw.getBytes(StandardCharsets.ISO_8859_1);
    ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(Math.max(1, bytes.length));
    return buf.writeBytes(bytes);
  }

  /** Everything the client received since the last call. */
  String clientReceived() {
    return drain(client);
  }

  EmbeddedChannel upstream() {
    return upstreams.get(upstreams.size() - 1);
  }

  /** Everything the newest backend connection received since the last call. */
  String upstreamReceived() {
    return drain(upstream());
  }

  /** Sends raw bytes from the newest backend connection. */
  void upstreamSends(String raw) {
    send(upstream(), raw);
  }

  void advance(long amount, TimeUnit unit) {
    client.advanceTimeBy(amount, unit);
    client.runPendingTasks();
  }

  static String drain(EmbeddedChannel ch) {
    ch.runPendingTasks();
    StringBuilder sb = new StringBuilder();
    Object msg;
    while ((msg = ch.readOutbound()) != null) {
      ByteBuf buf = (ByteBuf) msg;
      sb.append(buf.toString(StandardCharsets.ISO_8859_1));
      buf.release();
    }
    return sb.toString();
  }

  /** Sends raw bytes from backend connection {@code i} (in connect order). */
  void upstreamSends(int i, String raw) {
    send(upstreams.get(i), raw);
  }

  final List<EmbeddedChannel> extraClients = new ArrayList<>();

  @Override
  public void close() {
    for (EmbeddedChannel ch : extraClients) {
      ch.finishAndReleaseAll();
    }
    for (EmbeddedChannel ch : upstreams) {
      ch.finishAndReleaseAll();
    }
    client.finishAndReleaseAll();
  }
}
