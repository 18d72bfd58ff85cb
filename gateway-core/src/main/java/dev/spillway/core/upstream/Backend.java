package dev.spillway.core.upstream;

import dev.spillway.core.admission.concurrency.BackendAdmission;
import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.time.Ticker;
import java.util.List;
import java.util.function.Function;

/** A live backend: its settings, its endpoints and the policy that picks among them. */
public final class Backend {
  private final BackendConfig config;
  private final List<Endpoint> endpoints;
  private final EndpointSelector selector;
  private final BackendAdmission admission;

  public Backend(BackendConfig config) {
    this(config, RoundRobinSelector::new, Ticker.system());
  }

  /**
   * A backend whose endpoints are chosen by the selector {@code selectorFactory} builds over them, and whose
   * concurrency limit (if configured) reads time from {@code ticker}.
   */
  public Backend(BackendConfig config, Function<List<Endpoint>, EndpointSelector> selectorFactory, Ticker ticker) {
    this.config = config;
    this.endpoints = config.endpoints().stream().map(Endpoint::new).toList();
    this.selector = selectorFactory.apply(endpoints);
    this.admission = config.concurrency() == null ? null
        : new BackendAdmission(config.concurrency(), config.waitingRoom(), ticker);
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
    return endpoints;
  }

  public EndpointSelector selector() {
    return selector;
  }
}
