package dev.spillway.core.upstream;

import dev.spillway.core.config.BackendConfig;
import java.util.List;
import java.util.function.Function;

/** A live backend: its settings, its endpoints and the policy that picks among them. */
public final class Backend {
  private final BackendConfig config;
  private final List<Endpoint> endpoints;
  private final EndpointSelector selector;

  public Backend(BackendConfig config) {
    this(config, RoundRobinSelector::new);
  }

  /** A backend whose endpoints are chosen by the selector {@code selectorFactory} builds over them. */
  public Backend(BackendConfig config, Function<List<Endpoint>, EndpointSelector> selectorFactory) {
    this.config = config;
    this.endpoints = config.endpoints().stream().map(Endpoint::new).toList();
    this.selector = selectorFactory.apply(endpoints);
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
