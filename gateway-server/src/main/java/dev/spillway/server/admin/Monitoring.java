package dev.spillway.server.admin;

import dev.spillway.core.Gateway;
import dev.spillway.core.observe.ExchangeRecord;
import dev.spillway.core.observe.GatewayObserver;
import dev.spillway.core.time.Ticker;
import dev.spillway.server.accesslog.AccessLog;
import dev.spillway.server.alerts.WebhookNotifier;
import dev.spillway.server.config.LoadedConfig;
import dev.spillway.server.metrics.GatewayMetrics;
import dev.spillway.server.status.ChartHistory;
import dev.spillway.core.incident.ActiveOverride;
import dev.spillway.server.statuspage.PublicStatusPage;
import dev.spillway.server.statuspage.RouteMaintenance;
import java.util.List;
import dev.spillway.server.status.EndpointEventBridge;
import dev.spillway.server.status.ResilienceEvent;
import dev.spillway.server.status.IncidentListener;
import dev.spillway.server.status.Readiness;
import dev.spillway.server.status.StatusJson;
import dev.spillway.server.status.StatusSnapshot;
import dev.spillway.server.status.StatusTracker;
import dev.spillway.server.status.WallClock;
import io.micrometer.core.instrument.FunctionCounter;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything that watches the gateway, wired together: one {@link GatewayObserver} (a {@link RecordQueue})
 * feeding, on a dedicated monitor thread, the metrics, the status and incident tracker, and the access log;
 * webhook alerts on incidents; and the pre-rendered JSON the admin server serves.
 *
 * <pre>{@code
 * Monitoring monitoring = Monitoring.create(loaded, Ticker.system(), Clock.systemUTC());
 * Gateway gateway = Gateway.start(loaded.gateway(), monitoring.observer());
 * monitoring.attach(gateway).start();
 * AdminServer admin = AdminServer.start(loaded.admin(), monitoring);
 * }</pre>
 *
 * <p>Tests skip {@link #start()} and call {@link #pump()} themselves with a fake ticker.
 */
public final class Monitoring implements AdminContent, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Monitoring.class);
  private static final int QUEUE_CAPACITY = 65_536;
  private static final long PUMP_MILLIS = 200;

  private final LoadedConfig config;
  private final Ticker ticker;
  private final WallClock wall;
  private final EndpointEventBridge endpointEvents = new EndpointEventBridge();
  private final GatewayMetrics metrics = new GatewayMetrics();
  private final RecordQueue queue = new RecordQueue(QUEUE_CAPACITY, metrics.sheds());
  private final AccessLog accessLog;
  private final ScheduledExecutorService alertScheduler;
  private final WebhookNotifier alerts;
  private volatile byte[] configJson;
  /** The status page's line about the running config (source, hash, since, last failed reload), or null. */
  private volatile com.fasterxml.jackson.databind.node.ObjectNode configLine;
  /** {@code GET /config/reload}: which config runs, since when, the last reload attempts; null before any. */
  private volatile byte[] reloadJson;
  private ScheduledExecutorService monitorThread;
  private Gateway gateway;
  private Readiness readiness = Readiness.ALWAYS;
  private StatusTracker status;
  private volatile ChartHistory charts;
  /** The public status page, or {@code null} when not configured. */
  private volatile PublicStatusPage publicPage;
  private StatusSnapshot rendered;
  private long recordsSeen;
  /** Per route, whether its last answered request came from a fallback backend (monitor thread only). */
  private final java.util.Map<String, Boolean> failedOverRoutes = new java.util.HashMap<>();
  private volatile Rendered json = new Rendered(new byte[0], new byte[0], new byte[0]);
  /** The operator's incident controls; {@code null} until {@link #attach}. */
  private volatile OverridesApi overrides;
  private final OverridesJson.Cached statusWithOverrides = new OverridesJson.Cached(false);
  private final OverridesJson.Cached dashboardWithOverrides = new OverridesJson.Cached(false);

  private Monitoring(LoadedConfig config, Ticker ticker, Clock clock) {
    this.config = config;
    this.ticker = ticker;
    this.wall = new WallClock(ticker, clock);
    this.accessLog = new AccessLog(config.accessLog(), ticker);
    this.configJson = ConfigJson.render(config);
    if (config.alerts().webhooks().isEmpty()) {
      this.alertScheduler = null;
      this.alerts = null;
    } else {
      this.alertScheduler = Executors.newSingleThreadScheduledExecutor(daemon("spillway-alerts"));
      this.alerts = new WebhookNotifier(config.alerts(), HttpClient.newBuilder()
          .connectTimeout(config.alerts().timeout()).build(), alertScheduler);
    }
    var registry = metrics.registry();
    FunctionCounter.builder("spillway_monitor_dropped_records", queue, RecordQueue::dropped)
        .description("Finished requests the monitor could not keep up with (not counted anywhere else)")
        .register(registry);
    FunctionCounter.builder("spillway_access_log_lines", accessLog, AccessLog::written)
        .description("Access log lines written").register(registry);
    FunctionCounter.builder("spillway_access_log_shed_suppressed", accessLog, AccessLog::suppressedShed)
        .description("Shed requests not logged (over accessLog.maxShedPerSecond)").register(registry);
    FunctionCounter.builder("spillway_access_log_sampled_out", accessLog, AccessLog::sampledOut)
        .description("Admitted requests left out by accessLog.sampleRate").register(registry);
    if (alerts != null) {
      FunctionCounter.builder("spillway_alert_deliveries", alerts, WebhookNotifier::delivered)
          .description("Webhook alerts delivered").register(registry);
      FunctionCounter.builder("spillway_alert_delivery_failures", alerts, WebhookNotifier::failedAttempts)
          .description("Webhook attempts that failed (each retry counts)").register(registry);
      FunctionCounter.builder("spillway_alert_deliveries_given_up", alerts, WebhookNotifier::givenUp)
          .description("Webhook alerts given up after every retry").register(registry);
    }
  }

  /** Builds the monitoring for {@code config}; time comes from {@code ticker}, wall-clock display from {@code clock}. */
  public static Monitoring create(LoadedConfig config, Ticker ticker, Clock clock) {
    return new Monitoring(config, ticker, clock);
  }

  /** The observer to start the gateway with. */
  public GatewayObserver observer() {
    return queue;
  }

  /** The endpoint-event listener to start the gateway with (breakers, ejections → incidents). */
  public EndpointEventBridge endpointEvents() {
    return endpointEvents;
  }

  /** Binds to the started gateway: status tracking of its routes and backends, and their gauges. */
  public synchronized Monitoring attach(Gateway gateway) {
    this.gateway = gateway;
    this.readiness = Readiness.of(gateway);
    IncidentListener listener = alerts == null ? IncidentListener.NONE : alerts;
    this.status = new StatusTracker(config.status(), gateway::router, gateway.config(), readiness, ticker, wall,
        listener);
    status.watchOverload(gateway.overload());
    endpointEvents.attach(status);
    metrics.bind(gateway, status);
    this.charts = new ChartHistory(ticker, wall);
    ChartSampler.track(charts, gateway.router());
    if (config.status().publicPage().enabled()) {
      this.publicPage = PublicPages.create(config.status().publicPage(), gateway.router());
    }
    LimiterStoreStatus.watch(gateway.limiterStores(), status);
    StatusTracker tracker = status;
    this.overrides = new OverridesApi(gateway.overrides(), tracker::onResilienceEvent);
    gateway.addListener((previous, current) -> followGateway());
    publish();
    return this;
  }

  /**
   * After an applied reload (the gateway calls it, whoever asked for the reload): the status tracker, the
   * gauges and the public page follow the gateway's new routes and backends (kept ones keep their history and
   * counters).
   */
  public synchronized void followGateway() {
    if (status == null || gateway == null) {
      return;
    }
    status.configure(gateway.config());
    metrics.follow(gateway, status);
    if (publicPage != null) {
      PublicPages.follow(publicPage, gateway.router());
    }
    rendered = null;
    publish();
  }

  /**
   * Shows {@code live} on {@code /config} with {@code state} (which config runs, since when, the last reload
   * attempts), and a line of it on the status page. {@code state} is any record Jackson can render.
   */
  public synchronized void showConfig(LoadedConfig live, Object state) {
    this.configJson = ConfigJson.render(live, state);
    this.configLine = ConfigJson.statusLine(state);
    this.reloadJson = ConfigJson.reloadState(state);
    if (status != null) {
      rendered = null;
      publish();
    }
  }

  /** Starts the monitor thread: drains records and ticks the status tracker five times a second. */
  public synchronized Monitoring start() {
    monitorThread = Executors.newSingleThreadScheduledExecutor(daemon("spillway-monitor"));
    monitorThread.scheduleWithFixedDelay(this::pumpSafely, PUMP_MILLIS, PUMP_MILLIS, TimeUnit.MILLISECONDS);
    return this;
  }

  /** Feeds queued records to metrics, status and access log, then ticks the status tracker. */
  public synchronized void pump() {
    queue.drain(this::onRecord);
    if (status != null) {
      status.tick();
      ChartSampler.sample(charts, gateway.router());
      charts.tick();
      if (gateway != null) {
        metrics.refresh(gateway, status);
      }
      publish();
    }
  }

  private void pumpSafely() {
    try {
      pump();
    } catch (RuntimeException e) {
      log.warn("monitor tick failed", e);
    }
  }

  /** Finished requests taken from the queue so far. */
  public synchronized long recordsSeen() {
    return recordsSeen;
  }

  private void onRecord(ExchangeRecord r) {
    recordsSeen++;
    metrics.onRecord(r);
    if (status != null) {
      status.onRecord(r);
      charts.record(r);
      trackFailover(r);
    }
    accessLog.onRecord(r);
  }

  /**
   * A route answered by a fallback backend opens a "failover engaged" condition; its primary answering again
   * closes it. Only transitions are reported, so the tracker sees one event per change, not per request.
   */
  private void trackFailover(ExchangeRecord r) {
    if (r.route() == null || r.tier() < 0) {
      return;
    }
    boolean failedOver = r.tier() > 0;
    Boolean before = failedOverRoutes.put(r.route(), failedOver);
    if (before == null ? failedOver : before != failedOver) {
      status.onResilienceEvent(new ResilienceEvent(failedOver ? ResilienceEvent.Type.FAILOVER_ENGAGED
          : ResilienceEvent.Type.FAILOVER_RELEASED, "route " + r.route(),
          failedOver ? "served by fallback " + r.backend() : "primary back"));
    }
  }

  /** Renders the JSON only when the snapshot changed (once a second), never per request. */
  private void publish() {
    StatusSnapshot s = status.snapshot();
    if (s == rendered) {
      return;
    }
    rendered = s;
    json = new Rendered(ConfigJson.withLine(StatusJson.status(s), configLine, null), StatusJson.incidents(s),
        ConfigJson.withLine(StatusJson.dashboard(s), configLine, "status"));
    if (publicPage != null) {
      publicPage.update(s, maintenance());
    }
  }

  /** The routes an operator put in maintenance, with their text, for the public page. */
  private java.util.Map<String, RouteMaintenance> maintenance() {
    java.util.Map<String, RouteMaintenance> out = new java.util.LinkedHashMap<>();
    for (ActiveOverride o : gateway.overrides().list()) {
      if (o.kind() == ActiveOverride.Kind.MAINTENANCE) {
        out.put(o.target(), new RouteMaintenance(String.valueOf(o.settings().get("message")), o.since()));
      }
    }
    return out;
  }

  /** An operator's incident post, applied under the monitor's lock so the tracker stays single-threaded. */
  @Override
  public synchronized Reply post(String path, byte[] body) {
    if (status == null) {
      return Reply.error(503, "not_started", null, "the gateway has not started yet");
    }
    List<String> names = publicPage != null ? publicPage.componentNames() : PublicPages.routeNames(gateway.router());
    Reply reply = IncidentPosts.handle(path, body, status, names);
    publish();
    return reply;
  }

  @Override
  public PublicStatusPage publicPage() {
    return publicPage;
  }

  @Override
  public byte[] reloadJson() {
    return reloadJson;
  }

  public GatewayMetrics metrics() {
    return metrics;
  }

  /** The status tracker ({@code null} before {@link #attach}); feed resilience events here. */
  public StatusTracker status() {
    return status;
  }

  @Override
  public String metricsText() {
    return metrics.scrape();
  }

  @Override
  public String notReadyReason() {
    return readiness.notReadyReason();
  }

  @Override
  public OverridesApi overrides() {
    return overrides;
  }

  @Override
  public byte[] statusJson() {
    return withOverrides(statusWithOverrides, json.status);
  }

  /** {@code document} with the incident controls in force listed (none before {@link #attach}). */
  private byte[] withOverrides(OverridesJson.Cached cache, byte[] document) {
    OverridesApi api = overrides;
    return api == null ? document : cache.render(document, api.list());
  }

  @Override
  public byte[] incidentsJson() {
    return json.incidents;
  }

  @Override
  public byte[] dashboardJson() {
    return withOverrides(dashboardWithOverrides, json.dashboard);
  }

  @Override
  public byte[] chartsJson(String component) {
    ChartHistory c = charts;
    return c == null ? null : c.json(component);
  }

  @Override
  public byte[] configJson() {
    // Exactly what `validate` accepts: the controls in force are listed by /overrides, /status and the page.
    return configJson;
  }

  @Override
  public synchronized void close() {
    if (monitorThread != null) {
      monitorThread.shutdownNow();
    }
    if (alertScheduler != null) {
      alertScheduler.shutdownNow();
    }
    metrics.close();
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  private record Rendered(byte[] status, byte[] incidents, byte[] dashboard) {}
}
