package dev.spillway.core;

import dev.spillway.core.admission.RouteAdmission;
import dev.spillway.core.admission.identity.TenantResolver;
import dev.spillway.core.admission.ratelimit.RouteRateLimiter;
import dev.spillway.core.config.AdmissionConfig;
import dev.spillway.core.config.Durations;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.config.OverloadConfig;
import dev.spillway.core.config.RouteConfig;
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
import dev.spillway.core.retry.RouteRetries;
import dev.spillway.core.time.Ticker;
import dev.spillway.core.time.Tickers;
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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway: one listener, its event loops, and the live routing snapshot.
 *
 * <pre>{@code
 * Gateway gateway = Gateway.start(config);
 * ...
 * gateway.shutdown().join();   // graceful: stop accepting, drain, close
 * }</pre>
 */
public final class Gateway implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Gateway.class);
  private static final long DRAIN_POLL_MILLIS = 20;

  private final GatewayConfig config;
  private final Transport transport;
  private final EventLoopGroup bossGroup;
  private final EventLoopGroup workerGroup;
  private final ChannelGroup clients = new DefaultChannelGroup("spillway-clients", GlobalEventExecutor.INSTANCE);
  private final ProxyContext shared;
  private final UpstreamPools pools;
  private final List<HealthChecker> healthCheckers = new ArrayList<>();
  private final List<EngineScraper> engineScrapers = new ArrayList<>();
  private final Channel serverChannel;
  /** TLS termination with its certificate reload, or {@code null}. */
  private final ServerTls serverTls;
  private final OverloadManager overload;
  private final MemorySource memory;
  private final ScheduledFuture<?> overloadSampling;
  private volatile CompletableFuture<Void> shutdown;
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
    this.shared = new ProxyContext(server, routerOrStop(config, events), pools, observer, overload, overrides);
    overrides.attach(shared::router, this::config);
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
      memory.close();
      bossGroup.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      workerGroup.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw new GatewayStartException("cannot listen on " + server.host() + ":" + server.port() + ": "
          + e.getMessage(), e);
    }
    startHealthChecks(shared.router());
    startEngineScrapers(shared.router());
    if (serverTls != null) {
      serverTls.startWatching();
    }
    InetSocketAddress bound = (InetSocketAddress) serverChannel.localAddress();
    log.info("Spillway listening on {}:{} ({} transport, {} routes)", bound.getHostString(), bound.getPort(),
        transport.name().toLowerCase(Locale.ROOT), config.routes().size());
  }

  /** The routing snapshot; a backend TLS file that cannot be used (changed since validation) stops the start. */
  private Router routerOrStop(GatewayConfig config, EndpointEventListener events) {
    try {
      return buildRouter(config, Tickers.of(workerGroup.next()), events);
    } catch (TlsFileException e) {
      bossGroup.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      workerGroup.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw new GatewayStartException("backend tls: " + e.getMessage(), e);
    }
  }

  /** Loads the listener's certificate and key; a file that cannot be used stops the start. */
  private ServerTls loadTls(ServerConfig server) {
    try {
      return ServerTls.load(server.tls(), server.clientTimeout());
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
    Map<String, Backend> backends = new LinkedHashMap<>();
    config.backends().forEach((name, backendConfig) -> backends.put(name,
        new Backend(backendConfig, ticker, events)));
    List<Route> routes = config.routes().stream()
        .map(route -> new Route(route,
            route.tiers().stream()
                .map(t -> new Route.Tier(backends.get(t.backend()), t.model(), t.overflow())).toList(),
            admission(route, config, ticker),
            route.retry().maxAttempts() > 1 ? RouteRetries.of(route.retry(), ticker) : null))
        .toList();
    return new Router(routes);
  }

  private static RouteAdmission admission(RouteConfig route, GatewayConfig config, Ticker ticker) {
    AdmissionConfig admission = route.admission();
    if (admission == null) {
      return null;
    }
    return new RouteAdmission(admission, TenantResolver.of(admission, config),
        RouteRateLimiter.local(admission, config, ticker));
  }

  /** Starts active health checks for every backend that enables them, on the gateway's event loops. */
  private void startHealthChecks(Router router) {
    Set<Backend> seen = new HashSet<>();
    for (Route route : router.routes()) {
      Backend backend = route.backend();
      if (seen.add(backend) && backend.config().resilience().healthCheck().enabled()) {
        HealthChecker checker = new HealthChecker(backend.config().resilience().healthCheck(),
            backend.endpointGroup(), workerGroup, transport, backend.tls());
        checker.start();
        healthCheckers.add(checker);
      }
    }
  }

  /**
   * Scrapes the engine metrics of every backend (of any tier) with {@code concurrency.engineSignal}, on the
   * gateway's event loops; each scrape lets the backend's concurrency limit move.
   */
  private void startEngineScrapers(Router router) {
    Set<Backend> seen = new HashSet<>();
    for (Route route : router.routes()) {
      for (Route.Tier tier : route.tiers()) {
        Backend backend = tier.backend();
        if (backend != null && backend.engineSignals() != null && seen.add(backend)) {
          EngineScraper scraper = new EngineScraper(backend.engineSignals(), workerGroup, transport,
              backend.admission()::refreshLimit);
          scraper.start();
          engineScrapers.add(scraper);
        }
      }
    }
  }

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
    healthCheckers.forEach(HealthChecker::close);
    engineScrapers.forEach(EngineScraper::close);
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
