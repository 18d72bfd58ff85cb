package dev.spillway.server.config;

import dev.spillway.core.config.Checks;
import dev.spillway.core.config.GatewayConfig;

/**
 * Everything a config file holds: the gateway's own config, and the server-side sections gateway-core does not
 * know about (admin server, status tracking, alerts, access log).
 */
public record LoadedConfig(GatewayConfig gateway, AdminConfig admin, StatusConfig status, AlertsConfig alerts,
    AccessLogConfig accessLog) {

  public LoadedConfig {
    Checks.notNull("gateway", gateway);
    Checks.notNull("admin", admin);
    Checks.notNull("status", status);
    Checks.notNull("alerts", alerts);
    Checks.notNull("accessLog", accessLog);
  }

  /** {@code gateway} with every server-side section at its defaults. */
  public static LoadedConfig of(GatewayConfig gateway) {
    return new LoadedConfig(gateway, AdminConfig.DEFAULTS, StatusConfig.DEFAULTS, AlertsConfig.DEFAULTS,
        AccessLogConfig.DEFAULTS);
  }

  public LoadedConfig withAdmin(AdminConfig newAdmin) {
    return new LoadedConfig(gateway, newAdmin, status, alerts, accessLog);
  }

  public LoadedConfig withStatus(StatusConfig newStatus) {
    return new LoadedConfig(gateway, admin, newStatus, alerts, accessLog);
  }

  public LoadedConfig withAlerts(AlertsConfig newAlerts) {
    return new LoadedConfig(gateway, admin, status, newAlerts, accessLog);
  }

  public LoadedConfig withAccessLog(AccessLogConfig newAccessLog) {
    return new LoadedConfig(gateway, admin, status, alerts, newAccessLog);
  }
}
