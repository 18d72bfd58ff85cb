package dev.spillway.core.upstream;

import dev.spillway.core.config.BackendConfig;
import java.util.List;

/** A live backend: its settings, its endpoints and the policy that picks among them. */
public final class Backend {
  private final BackendConfig config;
  private final List<Endpoint> endpoints;
  private final EndpointSelector selector;

  public Backend(BackendConfig config) {
    this.config = config;
    this.endpoints = config.endpoints().stream().map(Endpoint::new).toList();
    this.selector = new RoundRobinSelector(endpoints);
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
