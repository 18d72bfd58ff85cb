package dev.spillway.core;

import dev.spillway.core.admission.ratelimit.BucketStores;
import dev.spillway.core.admission.ratelimit.redis.RedisLimiterStore;
import dev.spillway.core.config.Durations;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.config.LimiterStoreConfig;
import dev.spillway.core.config.LimiterStoreType;
import dev.spillway.core.config.OverloadConfig;
import dev.spillway.core.config.ServerConfig;
import dev.spillway.core.incident.IncidentOverrides;
import dev.spillway.core.observe.GatewayObserver;
import dev.spillway.core.overload.ConnectionCap;
import dev.spillway.core.overload.JvmMemorySource;
import dev.spillway.core.overload.MemorySource;
import dev.spillway.core.overload.OverloadManager;
import dev.spillway.core.proxy.DrainEvent;
import dev.spillway.core.proxy.ProxyContext;
import dev.spillway.core.runtime.Retirements;
import dev.spillway.core.runtime.RuntimeRegistry;
import dev.spillway.core.server.GatewayChannelInitializer;
import dev.spillway.core.time.Ticker;
import dev.spillway.core.time.Tickers;
import dev.spillway.core.tls.ServerTls;
import dev.spillway.core.tls.TlsFileException;
import dev.spillway.core.transport.Transport;
import dev.spillway.core.upstream.UpstreamPools;
import dev.spillway.core.upstream.resilience.EndpointEventListener;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a running gateway holds open, opened in order by the constructor and released in order by
 * {@link #stopAccepting} and {@link #closeRest}: the event loops, the listener with its TLS, the live runtime
 * ({@link RuntimeRegistry}) with the state every exchange shares, the upstream pools, the rate-limit bucket
 * store, and the background tasks (overload sampling, retirement polling, backend monitors). A start that
 * fails part-way releases what it already opened.
 */
final class GatewayResources {
  // Logged as the gateway: operators filter its start and stop lines by that name.
  private static final Logger log = LoggerFactory.getLogger(Gateway.class);
  private static final long RETIREMENT_POLL_MILLIS = 100;

  final Transport transport;
  final EventLoopGroup bossGroup;
  final EventLoopGroup workerGroup;
  final ChannelGroup clients = new DefaultChannelGroup("spillway-clients", GlobalEventExecutor.INSTANCE);
  final UpstreamPools pools;
  final OverloadManager overload;
  private final MemorySource memory;
  private final ScheduledFuture<?> overloadSampling;
  /** Where rate-limit buckets live: this process, or Redis shared with other instances. */
  final BucketStores limiterStores;
  /** The live backends and routes, reconfigured in place by reloads. */
  final RuntimeRegistry registry;
  final ProxyContext shared;
  /** The operator's incident controls: one per process, kept across reloads. */
  final IncidentOverrides overrides = new IncidentOverrides();
  final Retirements retirements;
  private final ScheduledFuture<?> retirementPolling;
  /** TLS termination with its certificate reload, or {@code null}. */
  final ServerTls serverTls;
  final Channel serverChannel;
  final BackendMonitors monitors;

  /**
   * Opens everything and listens.
   *
   * @param liveConfig the running config, for the incident controls (read only once requests arrive)
   * @throws GatewayStartException if the port cannot be bound or a TLS file cannot be used
   */
  GatewayResources(GatewayConfig config, GatewayObserver observer, EndpointEventListener events,
      OverloadConfig overloadConfig, Supplier<GatewayConfig> liveConfig) throws InterruptedException {
    ServerConfig server = config.server();
    this.transport = Transport.select(server.nativeTransport());
    this.bossGroup = transport.newGroup(1, "spillway-accept");
    this.workerGroup = transport.newGroup(server.ioThreads(), "spillway-io");
    this.pools = new UpstreamPools(transport);
    this.memory = new JvmMemorySource();
    this.overload = new OverloadManager(overloadConfig, memory, Ticker.system());
    overload.sample();
    // Sampled on the accept loop, never on a loop that serves requests.
    this.overloadSampling = bossGroup.next().scheduleAtFixedRate(overload::sample,
        overloadConfig.sampleInterval().toNanos(), overloadConfig.sampleInterval().toNanos(), TimeUnit.NANOSECONDS);
    // One clock for everything time-based: the event loops' ticker, which the exchanges' timers use too
    // (Netty's ticker has its own origin, so mixing it with System.nanoTime() readings would be wrong).
    this.limiterStores = limiterStores(config.limiterStore(), Tickers.of(workerGroup.next()));
    this.registry = registryOrStop(config, events);
    this.shared = new ProxyContext(server, registry.router(), pools, observer, overload, overrides);
    overrides.attach(shared::router, liveConfig);
    this.retirements = new Retirements(pools::retire);
    this.retirementPolling = bossGroup.next().scheduleWithFixedDelay(retirements::poll, RETIREMENT_POLL_MILLIS,
        RETIREMENT_POLL_MILLIS, TimeUnit.MILLISECONDS);
    this.serverTls = server.tls() == null ? null : loadTls(server);
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(bossGroup, workerGroup)
        .channel(transport.serverChannelClass())
        .handler(new ConnectionCap(overload))
        .option(ChannelOption.SO_BACKLOG, 4096)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.AUTO_READ, false)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new GatewayChannelInitializer(shared, clients, serverTls));
    try {
      this.serverChannel = bootstrap.bind(server.host(), server.port()).sync().channel();
    } catch (Exception e) {
      if (serverTls != null) {
        serverTls.close();
      }
      overloadSampling.cancel(false);
      retirementPolling.cancel(false);
      memory.close();
      limiterStores.close();
      stopLoopsNow();
      throw new GatewayStartException("cannot listen on " + server.host() + ":" + server.port() + ": "
          + e.getMessage(), e);
    }
    this.monitors = new BackendMonitors(workerGroup, transport);
    monitors.follow(registry.router());
    if (serverTls != null) {
      serverTls.startWatching();
    }
    InetSocketAddress bound = (InetSocketAddress) serverChannel.localAddress();
    log.info("Spillway listening on {}:{} ({} transport, {} routes)", bound.getHostString(), bound.getPort(),
        transport.name().toLowerCase(Locale.ROOT), config.routes().size());
  }

  /** The runtime; a backend TLS file that cannot be used (changed since validation) stops the start. */
  private RuntimeRegistry registryOrStop(GatewayConfig config, EndpointEventListener events) {
    try {
      return new RuntimeRegistry(config, Tickers.of(workerGroup.next()), events, limiterStores);
    } catch (TlsFileException e) {
      limiterStores.close();
      stopLoopsNow();
      throw new GatewayStartException("backend tls: " + e.getMessage(), e);
    }
  }

  /** Loads the listener's certificate and key; a file that cannot be used stops the start. */
  private ServerTls loadTls(ServerConfig server) {
    try {
      return ServerTls.load(server.tls(), server.clientTimeout(), server.http2().enabled());
    } catch (TlsFileException e) {
      stopLoopsNow();
      throw new GatewayStartException("server.tls: " + e.getMessage(), e);
    }
  }

  private static BucketStores limiterStores(LimiterStoreConfig config, Ticker ticker) {
    return config.type() == LimiterStoreType.REDIS ? RedisLimiterStore.open(config, ticker) : BucketStores.LOCAL;
  }

  /** A failed start: nothing runs on the loops yet, so they stop without a quiet period. */
  private void stopLoopsNow() {
    bossGroup.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
    workerGroup.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
  }

  /** Stops accepting and tells every connection to finish its current request. */
  void stopAccepting(ServerConfig server) {
    shared.startDraining();
    serverChannel.close().syncUninterruptibly();
    overloadSampling.cancel(false);
    memory.close();
    retirementPolling.cancel(false);
    monitors.closeAll();
    if (serverTls != null) {
      serverTls.close();
    }
    log.info("shutting down: no longer accepting; draining {} requests for up to {}", shared.activeExchanges(),
        Durations.format(server.shutdownTimeout()));
    for (Channel ch : clients) {
      ch.eventLoop().execute(() -> ch.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE));
    }
  }

  /** Whether no connection and no request is left. */
  boolean drained() {
    return clients.isEmpty() && shared.activeExchanges() == 0;
  }

  /** Closes whatever connections are left, the pools and the event loops. */
  CompletableFuture<Void> closeRest(boolean graceExpired, ServerConfig server) {
    if (graceExpired) {
      log.warn("shutdown: {} requests still running after {}, closing them", shared.activeExchanges(),
          Durations.format(server.shutdownTimeout()));
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    clients.close().awaitUninterruptibly();
    pools.closeAll().awaitUninterruptibly();
    // Here, on the shutdown thread: the Redis client's shutdown waits on executors a Netty listener may run on.
    limiterStores.close();
    bossGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    workerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).addListener(f -> {
      log.info("stopped");
      done.complete(null);
    });
    return done;
  }
}
