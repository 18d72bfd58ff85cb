package dev.spillway.core.proxy;

import dev.spillway.core.http.ForwardingHeaders;
import dev.spillway.core.admission.reject.RejectionResponses;
import dev.spillway.core.config.RejectionConfig;
import dev.spillway.core.config.ServerConfig;
import dev.spillway.core.incident.IncidentOverrides;
import dev.spillway.core.observe.GatewayObserver;
import dev.spillway.core.overload.OverloadAction;
import dev.spillway.core.overload.OverloadManager;
import dev.spillway.core.routing.Router;
import dev.spillway.core.upstream.ConnectionProvider;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * What every connection of one gateway shares: the live routing snapshot (swapped as a whole by a reload), the
 * backend pools, the listener settings and the draining flag.
 */
public final class ProxyContext {
  private final ServerConfig server;
  private final AtomicReference<Router> router;
  private final ConnectionProvider pools;
  private volatile boolean draining;
  private final LongAdder activeExchanges = new LongAdder();
  private final RejectionResponses defaultRejections = new RejectionResponses(RejectionConfig.DEFAULTS);

  private final GatewayObserver observer;
  private final ForwardingHeaders forwarding;
  private final OverloadManager overload;
  private final IncidentOverrides overrides;

  public ProxyContext(ServerConfig server, Router router, ConnectionProvider pools) {
    this(server, router, pools, GatewayObserver.NOOP);
  }

  public ProxyContext(ServerConfig server, Router router, ConnectionProvider pools, GatewayObserver observer) {
    this(server, router, pools, observer, OverloadManager.disabled());
  }

  public ProxyContext(ServerConfig server, Router router, ConnectionProvider pools, GatewayObserver observer,
      OverloadManager overload) {
    this(server, router, pools, observer, overload, new IncidentOverrides());
  }

  /** As above, with the process's incident controls (kept across reloads, never rebuilt). */
  public ProxyContext(ServerConfig server, Router router, ConnectionProvider pools, GatewayObserver observer,
      OverloadManager overload, IncidentOverrides overrides) {
    this.overrides = overrides;
    this.overload = overload;
    this.observer = observer;
    this.server = server;
    this.forwarding = new ForwardingHeaders(server.forwardedHeaders());
    this.router = new AtomicReference<>(router);
    this.pools = pools;
  }

  /** Sees every finished request. */
  public GatewayObserver observer() {
    return observer;
  }

  public ServerConfig server() {
    return server;
  }

  /** How forwarding headers are written for requests going upstream ({@code server.forwardedHeaders}). */
  public ForwardingHeaders forwarding() {
    return forwarding;
  }

  /** The routing snapshot for the next request. */
  public Router router() {
    return router.get();
  }

  /** Replaces the routing snapshot; requests already routed keep the one they started with. */
  public void swapRouter(Router next) {
    router.set(next);
  }

  public ConnectionProvider pools() {
    return pools;
  }

  /** Rejections for backends with a concurrency limit on routes without admission settings of their own. */
  public RejectionResponses defaultRejections() {
    return defaultRejections;
  }

  public boolean isDraining() {
    return draining;
  }

  /** From now on, connections close after their current response and idle ones close at once. */
  public void startDraining() {
    draining = true;
  }

  /** The operator's incident controls in force (shedding, maintenance, pinned limits, drained endpoints). */
  public IncidentOverrides overrides() {
    return overrides;
  }

  /** The gateway's protection of itself: memory pressure actions and the connection cap. */
  public OverloadManager overload() {
    return overload;
  }

  /** Whether a finished response may keep its connection: not while draining, nor under memory pressure. */
  boolean keepAliveAllowed() {
    return !draining && !overload.isActive(OverloadAction.KEEP_ALIVE_OFF);
  }

  /** Requests between their head arriving and their response ending (or failing). */
  public long activeExchanges() {
    return activeExchanges.sum();
  }

  void exchangeStarted() {
    activeExchanges.increment();
  }

  void exchangeEnded() {
    activeExchanges.decrement();
  }
}
