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
  }

  /**
   * The engines' own metrics, as scraped by an {@link dev.spillway.core.upstream.engine.EngineScraper} the
   * gateway runs, or {@code null} when the backend has no {@code concurrency.engineSignal}.
   */
  public EngineSignals engineSignals() {
    return engineSignals;
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
