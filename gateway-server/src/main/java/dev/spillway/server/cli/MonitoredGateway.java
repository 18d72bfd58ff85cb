package dev.spillway.server.cli;

import dev.spillway.core.Gateway;
import dev.spillway.core.time.Ticker;
import dev.spillway.server.admin.AdminServer;
import dev.spillway.server.admin.Monitoring;
import dev.spillway.server.config.LoadedConfig;
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

  private MonitoredGateway(Gateway gateway, Monitoring monitoring, AdminServer admin) {
    this.gateway = gateway;
    this.monitoring = monitoring;
    this.admin = admin;
  }

  /** Starts everything; on a failure, whatever started is stopped again before the exception propagates. */
  static MonitoredGateway start(LoadedConfig config) throws InterruptedException {
    Monitoring monitoring = Monitoring.create(config, Ticker.system(), Clock.systemUTC());
    Gateway gateway;
    try {
      gateway = Gateway.start(config.gateway(), monitoring.observer(), monitoring.endpointEvents());
    } catch (RuntimeException e) {
      monitoring.close();
      throw e;
    }
    monitoring.attach(gateway).start();
    AdminServer admin = null;
    if (config.admin().enabled()) {
      try {
        admin = AdminServer.start(config.admin(), monitoring);
      } catch (RuntimeException e) {
        gateway.shutdown().join();
        monitoring.close();
        throw e;
      }
    }
    return new MonitoredGateway(gateway, monitoring, admin);
  }

  /**
   * Shuts the gateway down gracefully, then the admin server and monitoring. The rest runs on a pool thread:
   * the gateway's future completes on the Netty thread that saw its event loops stop, where nothing may wait.
   */
  CompletableFuture<Void> shutdown() {
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
