package dev.spillway.core;

import dev.spillway.core.config.ConfigException;
import dev.spillway.core.admission.ratelimit.BucketStores;
import dev.spillway.core.admission.ratelimit.redis.RedisLimiterStore;
import dev.spillway.core.config.LimiterStoreConfig;
import dev.spillway.core.config.LimiterStoreType;
import dev.spillway.core.config.Durations;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.config.OverloadConfig;
import dev.spillway.core.config.ServerConfig;
import dev.spillway.core.incident.IncidentOverrides;
import dev.spillway.core.lifecycle.ShutdownSequence;
import dev.spillway.core.proxy.DrainEvent;
import dev.spillway.core.proxy.ProxyContext;
import dev.spillway.core.routing.Route;
import dev.spillway.core.routing.Router;
import dev.spillway.core.server.GatewayChannelInitializer;
import dev.spillway.core.tls.ServerTls;
import dev.spillway.core.tls.TlsFileException;
import dev.spillway.core.transport.Transport;
import dev.spillway.core.observe.GatewayObserver;
import dev.spillway.core.overload.ConnectionCap;
import dev.spillway.core.overload.JvmMemorySource;
import dev.spillway.core.overload.MemorySource;
import dev.spillway.core.overload.OverloadManager;
import dev.spillway.core.proxy.DrainEvent;
import dev.spillway.core.proxy.ProxyContext;
import dev.spillway.core.routing.Route;
import dev.spillway.core.routing.Router;
import dev.spillway.core.runtime.ConfigChanges;
import dev.spillway.core.runtime.ReloadResult;
import dev.spillway.core.runtime.Retirements;
import dev.spillway.core.runtime.RuntimeRegistry;
import dev.spillway.core.server.GatewayChannelInitializer;
import dev.spillway.core.time.Ticker;
import dev.spillway.core.time.Tickers;
import dev.spillway.core.tls.ServerTls;
import dev.spillway.core.tls.TlsFileException;
import dev.spillway.core.transport.Transport;
import dev.spillway.core.upstream.Backend;
import dev.spillway.core.upstream.UpstreamPools;
import dev.spillway.core.upstream.engine.EngineScraper;
import dev.spillway.core.upstream.resilience.EndpointEventListener;
import dev.spillway.core.upstream.resilience.HealthChecker;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway: one listener, its event loops, and the live runtime ({@link RuntimeRegistry}) with the
 * routing snapshot built over it from the current config, which {@link #reload} replaces without a restart.
 *
 * <pre>{@code
 * Gateway gateway = Gateway.start(config);
 * ReloadResult result = gateway.reload(nextConfig);   // all or nothing; state kept by identity
 * ...
 * gateway.shutdown().join();   // graceful: stop accepting, drain, close
 * }</pre>
 */
public final class Gateway implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Gateway.class);
  private static final long DRAIN_POLL_MILLIS = 20;
  private static final long RETIREMENT_POLL_MILLIS = 100;

  private volatile GatewayConfig config;
  /** The live backends and routes, reconfigured in place by {@link #reload}. */
  private final RuntimeRegistry registry;
  private final Retirements retirements;
  private final List<GatewayListener> listeners = new CopyOnWriteArrayList<>();
  private final ScheduledFuture<?> retirementPolling;
  /** When the running config was applied (wall clock), for {@code /config}. */
  private volatile Instant configuredAt = Instant.now();
  private final Transport transport;
  private final EventLoopGroup bossGroup;
  private final EventLoopGroup workerGroup;
  private final ChannelGroup clients = new DefaultChannelGroup("spillway-clients", GlobalEventExecutor.INSTANCE);
  private final ProxyContext shared;
  private final UpstreamPools pools;
  /** By backend name, with the backend snapshot they were started for. */
  private final Map<String, Monitored<HealthChecker>> healthCheckers = new HashMap<>();
  private final Map<String, Monitored<EngineScraper>> engineScrapers = new HashMap<>();
  private final Channel serverChannel;
  /** TLS termination with its certificate reload, or {@code null}. */
  private final ServerTls serverTls;
  private final OverloadManager overload;
  private final MemorySource memory;
  private final ScheduledFuture<?> overloadSampling;
  private volatile CompletableFuture<Void> shutdown;
  /** Where rate-limit buckets live: this process, or Redis shared with other instances. */
  private final BucketStores limiterStores;
  /** The stop in progress, or {@code null} before {@link #shutdown()}. */
  private volatile ShutdownSequence stopping;
  /** The operator's incident controls: one per process, kept across reloads. */
  private final IncidentOverrides overrides = new IncidentOverrides();

  private Gateway(GatewayConfig config, GatewayObserver observer, EndpointEventListener events,
      OverloadConfig overloadConfig) throws InterruptedException {
    this.config = config;
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
    overrides.attach(shared::router, this::config);
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
      bossGroup.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      workerGroup.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw new GatewayStartException("cannot listen on " + server.host() + ":" + server.port() + ": "
          + e.getMessage(), e);
    }
    followMonitors();
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
      bossGroup.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      workerGroup.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw new GatewayStartException("backend tls: " + e.getMessage(), e);
    }
  }

  /** Loads the listener's certificate and key; a file that cannot be used stops the start. */
  private ServerTls loadTls(ServerConfig server) {
    try {
      return ServerTls.load(server.tls(), server.clientTimeout(), server.http2().enabled());
    } catch (TlsFileException e) {
      bossGroup.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      workerGroup.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw new GatewayStartException("server.tls: " + e.getMessage(), e);
    }
  }

  /** The listener's TLS (certificate reload), or {@code null} when it speaks plain HTTP. */
  public ServerTls serverTls() {
    return serverTls;
  }

  /**
   * Starts a gateway and returns once it listens.
   *
   * @throws GatewayStartException if the port cannot be bound
   */
  public static Gateway start(GatewayConfig config) throws InterruptedException {
    return new Gateway(config, GatewayObserver.NOOP, EndpointEventListener.NOOP, OverloadConfig.DEFAULTS);
  }

  /**
   * Starts a gateway whose every finished request is reported to {@code observer} (metrics, access log).
   *
   * @throws GatewayStartException if the port cannot be bound
   */
  public static Gateway start(GatewayConfig config, GatewayObserver observer) throws InterruptedException {
    return new Gateway(config, observer, EndpointEventListener.NOOP, OverloadConfig.DEFAULTS);
  }

  /**
   * As above, with {@code events} told of every breaker transition, ejection, cooldown and health change of
   * the backends' endpoints (the status page turns them into incidents).
   */
  public static Gateway start(GatewayConfig config, GatewayObserver observer, EndpointEventListener events)
      throws InterruptedException {
    return new Gateway(config, observer, events, OverloadConfig.DEFAULTS);
  }

  /** As above, protecting itself as {@code overload} says (connection cap, memory pressure actions). */
  public static Gateway start(GatewayConfig config, GatewayObserver observer, EndpointEventListener events,
      OverloadConfig overload) throws InterruptedException {
    return new Gateway(config, observer, events, overload);
  }

  /** The overload manager: connection count, memory pressures and the actions in force. */
  public OverloadManager overload() {
    return overload;
  }

  /** The operator's incident controls (admin API {@code /overrides}). */
  public IncidentOverrides overrides() {
    return overrides;
  }

  /** The live routing snapshot: routes, their admission, backends and their limits (for metrics and status). */
  public Router router() {
    return shared.router();
  }

  /**
   * Builds the live routing snapshot: backends (with their concurrency limits) and routes (with their
   * admission control), all reading time from {@code ticker}.
   */
  public static Router buildRouter(GatewayConfig config, Ticker ticker) {
    return buildRouter(config, ticker, EndpointEventListener.NOOP);
  }

  /** As above, with the backends' endpoint changes reported to {@code events}. */
  public static Router buildRouter(GatewayConfig config, Ticker ticker, EndpointEventListener events) {
    return buildRouter(config, ticker, events, BucketStores.LOCAL);
  }

  /** As above, with rate-limit buckets kept in {@code stores}. */
  public static Router buildRouter(GatewayConfig config, Ticker ticker, EndpointEventListener events,
      BucketStores stores) {
    return new RuntimeRegistry(config, ticker, events, stores).router();
  }

  /** Tells {@code listener} of every config this gateway switches to. */
  public void addListener(GatewayListener listener) {
    listeners.add(java.util.Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Switches to {@code next} without a restart, or does nothing at all: the new config is built over the live
   * runtime (state kept by identity, see {@link RuntimeRegistry}) and swapped in at once; requests already
   * routed finish on the config they started with. Keys only a restart can change
   * ({@link ConfigChanges#restartKeys}) make the whole reload {@code RESTART_REQUIRED}; a config that cannot be
   * built makes it {@code REJECTED}. Either way the running config stays. Listeners hear of applied reloads.
   */
  public synchronized ReloadResult reload(GatewayConfig next) {
    java.util.Objects.requireNonNull(next, "next");
    if (shutdown != null) {
      return ReloadResult.rejected(List.of("the gateway is shutting down"));
    }
    GatewayConfig previous = config;
    List<String> restart = ConfigChanges.restartKeys(previous, next);
    if (!restart.isEmpty()) {
      ReloadResult result = ReloadResult.restartRequired(restart);
      log.warn("config reload {}", result.summary());
      return result;
    }
    RuntimeRegistry.Plan plan;
    try {
      plan = registry.plan(next);
    } catch (ConfigException e) {
      return rejected(e.getMessage());
    } catch (TlsFileException e) {
      return rejected("backend tls: " + e.getMessage());
    } catch (RuntimeException e) {
      return rejected(String.valueOf(e.getMessage()));
    }
    List<String> changes = ConfigChanges.summary(previous, next);
    RuntimeRegistry.Commit commit = plan.commit();
    // The operator's pins and drains apply to rebuilt backends and endpoints before they take traffic.
    overrides.reapply(plan.router());
    shared.swapRouter(plan.router());
    config = next;
    configuredAt = Instant.now();
    pools.retire(commit.retireNow());
    retirements.add(commit.retiring());
    followMonitors();
    ReloadResult result = ReloadResult.applied(changes);
    log.info("config reload {}", result.summary());
    for (GatewayListener listener : listeners) {
      try {
        listener.onReconfigured(previous, next);
      } catch (RuntimeException e) {
        log.warn("a reload listener failed", e);
      }
    }
    return result;
  }

  private static ReloadResult rejected(String problem) {
    ReloadResult result = ReloadResult.rejected(List.of(problem));
    log.warn("config reload {}", result.summary());
    return result;
  }

  /** The live runtime: every backend of the config by name (also those no route uses). */
  public RuntimeRegistry runtime() {
    return registry;
  }

  /** When the running config was applied: the start, or the last applied reload. */
  public Instant configuredAt() {
    return configuredAt;
  }

  /** Backends and endpoints removed by reloads whose requests have not all finished yet. */
  public int retiringCount() {
    return retirements.pending();
  }

  /**
   * Runs a health checker for every backend of a route that enables checks, and an engine scraper for every
   * one with {@code concurrency.engineSignal}, on the gateway's event loops; after a reload, restarts those
   * whose backend changed its endpoints or settings and stops those of removed backends. Health and engine
   * state live in the endpoints and signals, so a restarted checker continues where the last one was.
   */
  private void followMonitors() {
    Map<String, Backend> used = new LinkedHashMap<>();
    for (Route route : registry.router().routes()) {
      for (Route.Tier tier : route.tiers()) {
        if (tier.backend() != null) {
          used.putIfAbsent(tier.backend().name(), tier.backend());
        }
      }
    }
    healthCheckers.entrySet().removeIf(e -> {
      Backend now = used.get(e.getKey());
      Backend then = e.getValue().backend();
      boolean keep = now != null && now.endpointGroup() == then.endpointGroup() && now.tls() == then.tls()
          && now.config().resilience().healthCheck().equals(then.config().resilience().healthCheck());
      if (!keep) {
        e.getValue().monitor().close();
      }
      return !keep;
    });
    engineScrapers.entrySet().removeIf(e -> {
      Backend now = used.get(e.getKey());
      boolean keep = now != null && now.engineSignals() == e.getValue().backend().engineSignals();
      if (!keep) {
        e.getValue().monitor().close();
      }
      return !keep;
    });
    for (Backend backend : used.values()) {
      if (!healthCheckers.containsKey(backend.name()) && backend.config().resilience().healthCheck().enabled()) {
        HealthChecker checker = new HealthChecker(backend.config().resilience().healthCheck(),
            backend.endpointGroup(), workerGroup, transport, backend.tls());
        checker.start();
        healthCheckers.put(backend.name(), new Monitored<>(backend, checker));
      }
      if (!engineScrapers.containsKey(backend.name()) && backend.engineSignals() != null
          && backend.admission() != null) {
        EngineScraper scraper = new EngineScraper(backend.engineSignals(), workerGroup, transport,
            backend.admission()::refreshLimit);
        scraper.start();
        engineScrapers.put(backend.name(), new Monitored<>(backend, scraper));
      }
    }
  }

  /** A health checker or scraper with the backend snapshot it was started for. */
  private record Monitored<T extends AutoCloseable>(Backend backend, T monitor) {}

  /** The running config: the one started with, or the last one {@link #reload} applied. */
  public GatewayConfig config() {
    return config;
  }

  public InetSocketAddress localAddress() {
    return (InetSocketAddress) serverChannel.localAddress();
  }

  public int port() {
    return localAddress().getPort();
  }

  /** Requests currently in progress. */
  public long activeRequests() {
    return shared.activeExchanges();
  }

  /** Where rate-limit buckets live ({@link RedisLimiterStore} when {@code limiterStore.type} is redis). */
  public BucketStores limiterStores() {
    return limiterStores;
  }

  private static BucketStores limiterStores(LimiterStoreConfig config, Ticker ticker) {
    return config.type() == LimiterStoreType.REDIS ? RedisLimiterStore.open(config, ticker) : BucketStores.LOCAL;
  }

  /** Whether {@link #shutdown()} has begun. */
  public boolean isDraining() {
    return shared.isDraining();
  }

  /** Whether {@link #shutdown()} has begun: readiness fails from then on (before the listener closes). */
  public boolean isShuttingDown() {
    ShutdownSequence s = stopping;
    return s != null && s.phase() != ShutdownSequence.Phase.RUNNING;
  }

  /**
   * Shuts down gracefully, in order: readiness fails at once ({@link #isShuttingDown()}) while everything runs
   * on for {@code server.shutdownDelay}; then the listener stops accepting, idle connections close, and
   * in-flight requests and streams run for up to {@code server.shutdownTimeout}; then whatever is left is
   * closed. Idempotent.
   */
  public synchronized CompletableFuture<Void> shutdown() {
    if (shutdown != null) {
      return shutdown;
    }
    ScheduledExecutorService waiter = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "spillway-shutdown");
      t.setDaemon(true);
      return t;
    });
    ServerConfig server = config.server();
    if (server.shutdownDelay().toNanos() > 0) {
      log.info("shutting down: not ready from now on; the listener closes in {}",
          Durations.format(server.shutdownDelay()));
    }
    stopping = new ShutdownSequence(server.shutdownDelay(), server.shutdownTimeout(),
        Duration.ofMillis(DRAIN_POLL_MILLIS), Ticker.system(),
        (task, nanos) -> waiter.schedule(task, nanos, TimeUnit.NANOSECONDS));
    shutdown = stopping.start(new ShutdownSequence.Steps() {
      @Override
      public void stopAccepting() {
        Gateway.this.stopAccepting();
      }

      @Override
      public boolean drained() {
        return clients.isEmpty() && shared.activeExchanges() == 0;
      }

      @Override
      public CompletableFuture<Void> closeRest(boolean graceExpired) {
        waiter.shutdown();
        return Gateway.this.closeRest(graceExpired);
      }
    });
    return shutdown;
  }

  /** Stops accepting and tells every connection to finish its current request. */
  private void stopAccepting() {
    shared.startDraining();
    serverChannel.close().syncUninterruptibly();
    overloadSampling.cancel(false);
    memory.close();
    retirementPolling.cancel(false);
    healthCheckers.values().forEach(m -> m.monitor().close());
    engineScrapers.values().forEach(m -> m.monitor().close());
    if (serverTls != null) {
      serverTls.close();
    }
    log.info("shutting down: no longer accepting; draining {} requests for up to {}", shared.activeExchanges(),
        Durations.format(config.server().shutdownTimeout()));
    for (Channel ch : clients) {
      ch.eventLoop().execute(() -> ch.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE));
    }
  }

  /** Closes whatever connections are left, the pools and the event loops. */
  private CompletableFuture<Void> closeRest(boolean graceExpired) {
    if (graceExpired) {
      log.warn("shutdown: {} requests still running after {}, closing them", shared.activeExchanges(),
          Durations.format(config.server().shutdownTimeout()));
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

  /** Shuts down and waits for it. */
  @Override
  public void close() {
    shutdown().join();
  }
}
