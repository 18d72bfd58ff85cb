package dev.spillway.server.cli;

import dev.spillway.core.Gateway;
import dev.spillway.core.time.Ticker;
import dev.spillway.server.admin.AdminServer;
import dev.spillway.server.admin.Monitoring;
import dev.spillway.server.config.LoadedConfig;
import dev.spillway.server.reload.ConfigReloader;
import dev.spillway.server.warmup.WarmUp;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A gateway with its monitoring (metrics, status, incidents, alerts, access log) and, when enabled, the admin
 * server next to it. Shutting down drains the gateway first, so the last requests still reach the metrics.
 */
final class MonitoredGateway {
  final Gateway gateway;
  final Monitoring monitoring;
  /** {@code null} when {@code admin.enabled} is false. */
  final AdminServer admin;
  /** Reloads the config file: {@code POST /config/reload}, SIGHUP and the file watcher. */
  final ConfigReloader reloader;

  private MonitoredGateway(Gateway gateway, Monitoring monitoring, AdminServer admin, ConfigReloader reloader) {
    this.gateway = gateway;
    this.monitoring = monitoring;
    this.admin = admin;
    this.reloader = reloader;
  }

  /** Starts everything; on a failure, whatever started is stopped again before the exception propagates. */
  static MonitoredGateway start(LoadedConfig config) throws InterruptedException {
    return start(config, null);
  }

  /** As above, reloadable from {@code file} (the file {@code config} was loaded from; {@code null}: built-in). */
  static MonitoredGateway start(LoadedConfig config, Path file) throws InterruptedException {
    // Before the listener opens, so the first real requests (and sheds) do not run cold.
    WarmUp.run(config.gateway().server(), config.warmUpRequests());
    Monitoring monitoring = Monitoring.create(config, Ticker.system(), Clock.systemUTC());
    Gateway gateway;
    try {
      gateway = Gateway.start(config.gateway(), monitoring.observer(), monitoring.endpointEvents(),
          config.overload());
    } catch (RuntimeException e) {
      monitoring.close();
      throw e;
    }
    monitoring.attach(gateway).start();
    ConfigReloader reloader = new ConfigReloader(file, System::getenv, config, gateway, monitoring,
        Clock.systemUTC());
    AdminServer admin = null;
    if (config.admin().enabled()) {
      try {
        admin = AdminServer.start(config.admin(), monitoring, reloader.adminAction());
      } catch (RuntimeException e) {
        reloader.close();
        gateway.shutdown().join();
        monitoring.close();
        throw e;
      }
    }
    return new MonitoredGateway(gateway, monitoring, admin, reloader);
  }

  /**
   * Shuts the gateway down gracefully, then the admin server and monitoring. The rest runs on a pool thread:
   * the gateway's future completes on the Netty thread that saw its event loops stop, where nothing may wait.
   */
  CompletableFuture<Void> shutdown() {
    reloader.close();
    return gateway.shutdown().<Void>handleAsync((v, e) -> {
      monitoring.pump();
      if (admin != null) {
        admin.close();
      }
      monitoring.close();
      if (e != null) {
        throw e instanceof CompletionException c ? c : new CompletionException(e);
      }
      return null;
    });
  }
}
