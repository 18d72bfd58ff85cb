package dev.spillway.core;

import dev.spillway.core.admission.ratelimit.BucketStores;
import dev.spillway.core.admission.ratelimit.redis.RedisLimiterStore;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.config.OverloadConfig;
import dev.spillway.core.incident.IncidentOverrides;
import dev.spillway.core.observe.GatewayObserver;
import dev.spillway.core.overload.OverloadManager;
import dev.spillway.core.routing.Router;
import dev.spillway.core.runtime.ConfigChanges;
import dev.spillway.core.runtime.ReloadResult;
import dev.spillway.core.runtime.RuntimeRegistry;
import dev.spillway.core.time.Ticker;
import dev.spillway.core.tls.ServerTls;
import dev.spillway.core.upstream.resilience.EndpointEventListener;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

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
 *
 * <p>The facade over three parts, each with one job: {@link GatewayResources} opens and closes what the
 * gateway runs on, {@link ConfigReloader} owns the running config and switches it, {@link GatewayShutdown}
 * orders the graceful stop.
 */
public final class Gateway implements AutoCloseable {
  private final GatewayResources resources;
  private final ConfigReloader reloads;
  private final GatewayShutdown stop;

  private Gateway(GatewayConfig config, GatewayObserver observer, EndpointEventListener events,
      OverloadConfig overloadConfig) throws InterruptedException {
    // The incident controls read the running config only once requests arrive, after this constructor.
    this.resources = new GatewayResources(config, observer, events, overloadConfig, this::config);
    this.reloads = new ConfigReloader(config, resources.registry, resources.shared, resources.overrides,
        resources.pools, resources.retirements, resources.monitors);
    this.stop = new GatewayShutdown(resources, () -> reloads.config().server());
  }

  /** The listener's TLS (certificate reload), or {@code null} when it speaks plain HTTP. */
  public ServerTls serverTls() {
    return resources.serverTls;
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
    return resources.overload;
  }

  /** The operator's incident controls (admin API {@code /overrides}). */
  public IncidentOverrides overrides() {
    return resources.overrides;
  }

  /** The live routing snapshot: routes, their admission, backends and their limits (for metrics and status). */
  public Router router() {
    return resources.shared.router();
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
    reloads.addListener(listener);
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
    if (stop.begun()) {
      return ReloadResult.rejected(List.of("the gateway is shutting down"));
    }
    return reloads.reload(next);
  }

  /** The live runtime: every backend of the config by name (also those no route uses). */
  public RuntimeRegistry runtime() {
    return resources.registry;
  }

  /** When the running config was applied: the start, or the last applied reload. */
  public Instant configuredAt() {
    return reloads.configuredAt();
  }

  /** Backends and endpoints removed by reloads whose requests have not all finished yet. */
  public int retiringCount() {
    return resources.retirements.pending();
  }

  /** The running config: the one started with, or the last one {@link #reload} applied. */
  public GatewayConfig config() {
    return reloads.config();
  }

  public InetSocketAddress localAddress() {
    return (InetSocketAddress) resources.serverChannel.localAddress();
  }

  public int port() {
    return localAddress().getPort();
  }

  /** Requests currently in progress. */
  public long activeRequests() {
    return resources.shared.activeExchanges();
  }

  /** Where rate-limit buckets live ({@link RedisLimiterStore} when {@code limiterStore.type} is redis). */
  public BucketStores limiterStores() {
    return resources.limiterStores;
  }

  /** Whether {@link #shutdown()} has begun. */
  public boolean isDraining() {
    return resources.shared.isDraining();
  }

  /** Whether {@link #shutdown()} has begun: readiness fails from then on (before the listener closes). */
  public boolean isShuttingDown() {
    return stop.isShuttingDown();
  }

  /**
   * Shuts down gracefully, in order: readiness fails at once ({@link #isShuttingDown()}) while everything runs
   * on for {@code server.shutdownDelay}; then the listener stops accepting, idle connections close, and
   * in-flight requests and streams run for up to {@code server.shutdownTimeout}; then whatever is left is
   * closed. Idempotent.
   */
  public synchronized CompletableFuture<Void> shutdown() {
    return stop.start();
  }

  /** Shuts down and waits for it. */
  @Override
  public void close() {
    shutdown().join();
  }
}
