package dev.spillway.core.upstream;

import dev.spillway.core.admission.concurrency.BackendAdmission;
import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.EngineSignalConfig;
import dev.spillway.core.time.Ticker;
import dev.spillway.core.upstream.engine.EngineSignals;
import dev.spillway.core.upstream.resilience.EndpointEventListener;
import dev.spillway.core.upstream.resilience.EndpointGroup;
import java.util.List;

/** A live backend: its settings, its endpoints and the policy that picks among them. */
public final class Backend {
  private final BackendConfig config;
  private final EndpointGroup group;
  private final BackendAdmission admission;
  private final EngineSignals engineSignals;
  private final UpstreamTls tls;

  public Backend(BackendConfig config) {
    this(config, Ticker.system());
  }

  /**
   * A live backend whose endpoint choice (balancing, breakers, outliers, cooldowns) and concurrency limit
   * read time from {@code ticker}.
   */
  public Backend(BackendConfig config, Ticker ticker) {
    this(config, ticker, EndpointEventListener.NOOP);
  }

  /** As above, reporting breaker, ejection, cooldown and health changes of its endpoints to {@code events}. */
  public Backend(BackendConfig config, Ticker ticker, EndpointEventListener events) {
    this.config = config;
    this.group = EndpointGroup.of(config.endpointConfigs(), config.resilience(), ticker, events);
    EngineSignalConfig engine = config.concurrency() == null ? null : config.concurrency().engineSignal();
    this.engineSignals = engine == null ? null : new EngineSignals(group.endpoints(), engine, ticker);
    if (engineSignals != null) {
      group.preferEngineSignals(engineSignals);
    }
    this.admission = config.concurrency() == null ? null
        : new BackendAdmission(config.concurrency(), config.waitingRoom(), ticker, engineSignals);
    this.tls = UpstreamTls.of(config);
  }

  /**
   * A backend assembled from live parts, as a reload does: the parts outlive config snapshots (their state is
   * kept by identity), this object is one snapshot's view of them. {@code group} must list the endpoints
   * {@code engineSignals} watches (when given) and already prefer them.
   */
  public Backend(BackendConfig config, EndpointGroup group, BackendAdmission admission, EngineSignals engineSignals,
      UpstreamTls tls) {
    this.config = config;
    this.group = group;
    this.admission = admission;
    this.engineSignals = engineSignals;
    this.tls = tls;
  }

  /**
   * The engines' own metrics, as scraped by an {@link dev.spillway.core.upstream.engine.EngineScraper} the
   * gateway runs, or {@code null} when the backend has no {@code concurrency.engineSignal}.
   */
  public EngineSignals engineSignals() {
    return engineSignals;
  }

  /** TLS for the backend's {@code https://} endpoints, or {@code null} when all are plain HTTP. */
  public UpstreamTls tls() {
    return tls;
  }

  /** The backend's concurrency limit and waiting room, or {@code null} when unlimited. */
  public BackendAdmission admission() {
    return admission;
  }

  public String name() {
    return config.name();
  }

  public BackendConfig config() {
    return config;
  }

  public List<Endpoint> endpoints() {
    return group.endpoints();
  }

  /** Picks endpoints and tracks their health: breakers, outlier ejection, cooldowns, outstanding requests. */
  public EndpointGroup endpointGroup() {
    return group;
  }

  /** The endpoint-choice seam as a plain selector (respects availability, counts no traffic). */
  public EndpointSelector selector() {
    return group;
  }
}
