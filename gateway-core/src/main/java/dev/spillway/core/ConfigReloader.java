package dev.spillway.core;

import dev.spillway.core.config.ConfigException;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.incident.IncidentOverrides;
import dev.spillway.core.proxy.ProxyContext;
import dev.spillway.core.runtime.ConfigChanges;
import dev.spillway.core.runtime.ReloadResult;
import dev.spillway.core.runtime.Retirements;
import dev.spillway.core.runtime.RuntimeRegistry;
import dev.spillway.core.tls.TlsFileException;
import dev.spillway.core.upstream.UpstreamPools;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the running config and switches it without a restart: builds the next config over the live runtime
 * (state kept by identity, see {@link RuntimeRegistry}), swaps the routing snapshot in at once, retires what
 * the new config dropped, and tells the listeners. {@link Gateway#reload} calls it under the gateway's lock,
 * so reloads never overlap.
 */
final class ConfigReloader {
  // Logged as the gateway: operators filter its reload lines by that name.
  private static final Logger log = LoggerFactory.getLogger(Gateway.class);

  private final RuntimeRegistry registry;
  private final ProxyContext shared;
  private final IncidentOverrides overrides;
  private final UpstreamPools pools;
  private final Retirements retirements;
  private final BackendMonitors monitors;
  private final List<GatewayListener> listeners = new CopyOnWriteArrayList<>();
  private volatile GatewayConfig config;
  /** When the running config was applied (wall clock), for {@code /config}. */
  private volatile Instant configuredAt = Instant.now();

  ConfigReloader(GatewayConfig config, RuntimeRegistry registry, ProxyContext shared, IncidentOverrides overrides,
      UpstreamPools pools, Retirements retirements, BackendMonitors monitors) {
    this.config = config;
    this.registry = registry;
    this.shared = shared;
    this.overrides = overrides;
    this.pools = pools;
    this.retirements = retirements;
    this.monitors = monitors;
  }

  /** The running config: the one started with, or the last one {@link #reload} applied. */
  GatewayConfig config() {
    return config;
  }

  /** When the running config was applied: the start, or the last applied reload. */
  Instant configuredAt() {
    return configuredAt;
  }

  void addListener(GatewayListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Switches to {@code next}, or does nothing at all (see {@link Gateway#reload}). */
  ReloadResult reload(GatewayConfig next) {
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
    monitors.follow(registry.router());
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

  /** A reload refused before anything changed: logged, the running config stays. */
  private static ReloadResult rejected(String problem) {
    ReloadResult result = ReloadResult.rejected(List.of(problem));
    log.warn("config reload {}", result.summary());
    return result;
  }
}
