package dev.spillway.server.config;

import dev.spillway.core.config.Checks;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.config.OverloadConfig;

/**
 * Everything a config file holds: the gateway's own config, and the server-side sections gateway-core does not
 * know about (admin server, status tracking, alerts, access log), plus {@code server.overload}, which is handed
 * to the gateway when it starts.
 *
 * <p>{@code source} is the file it came from, written back as JSON with secrets redacted
 * ({@link ConfigSource}), or {@code null} for a config built in code: {@code /config} shows it.
 * {@code warmUpRequests} ({@code server.warmUpRequests}) is how many synthetic requests warm the request path up
 * before the listener opens; 0 turns the warm-up off. Read at start only.
 */
public record LoadedConfig(GatewayConfig gateway, AdminConfig admin, StatusConfig status, AlertsConfig alerts,
    AccessLogConfig accessLog, OverloadConfig overload, String source, int warmUpRequests) {
  /** {@code server.warmUpRequests} when absent: about 0.5 s of one core at start, see docs/operations.md. */
  public static final int DEFAULT_WARM_UP_REQUESTS = 2000;

  /** With the default warm-up. */
  public LoadedConfig(GatewayConfig gateway, AdminConfig admin, StatusConfig status, AlertsConfig alerts,
      AccessLogConfig accessLog, OverloadConfig overload, String source) {
    this(gateway, admin, status, alerts, accessLog, overload, source, DEFAULT_WARM_UP_REQUESTS);
  }

  /** Not read from a file: no {@link #source}. */
  public LoadedConfig(GatewayConfig gateway, AdminConfig admin, StatusConfig status, AlertsConfig alerts,
      AccessLogConfig accessLog, OverloadConfig overload) {
    this(gateway, admin, status, alerts, accessLog, overload, null);
  }

  /** With the overload manager at its defaults. */
  public LoadedConfig(GatewayConfig gateway, AdminConfig admin, StatusConfig status, AlertsConfig alerts,
      AccessLogConfig accessLog) {
    this(gateway, admin, status, alerts, accessLog, OverloadConfig.DEFAULTS);
  }

  public LoadedConfig {
    Checks.notNull("gateway", gateway);
    Checks.notNull("admin", admin);
    Checks.notNull("status", status);
    Checks.notNull("alerts", alerts);
    Checks.notNull("accessLog", accessLog);
    Checks.notNull("overload", overload);
    Checks.nonNegative("warmUpRequests", warmUpRequests);
  }

  /** {@code gateway} with every server-side section at its defaults. */
  public static LoadedConfig of(GatewayConfig gateway) {
    return new LoadedConfig(gateway, AdminConfig.DEFAULTS, StatusConfig.DEFAULTS, AlertsConfig.DEFAULTS,
        AccessLogConfig.DEFAULTS);
  }

  public LoadedConfig withAdmin(AdminConfig newAdmin) {
    return new LoadedConfig(gateway, newAdmin, status, alerts, accessLog, overload, source, warmUpRequests);
  }

  public LoadedConfig withStatus(StatusConfig newStatus) {
    return new LoadedConfig(gateway, admin, newStatus, alerts, accessLog, overload, source, warmUpRequests);
  }

  public LoadedConfig withAlerts(AlertsConfig newAlerts) {
    return new LoadedConfig(gateway, admin, status, newAlerts, accessLog, overload, source, warmUpRequests);
  }

  public LoadedConfig withAccessLog(AccessLogConfig newAccessLog) {
    return new LoadedConfig(gateway, admin, status, alerts, newAccessLog, overload, source, warmUpRequests);
  }

  public LoadedConfig withOverload(OverloadConfig newOverload) {
    return new LoadedConfig(gateway, admin, status, alerts, accessLog, newOverload, source, warmUpRequests);
  }

  /** This config, shown by {@code /config} as {@code newSource} (the file written back, secrets redacted). */
  public LoadedConfig withSource(String newSource) {
    return new LoadedConfig(gateway, admin, status, alerts, accessLog, overload, newSource, warmUpRequests);
  }

  /** This config with {@code server.warmUpRequests} set to {@code requests} (0: no warm-up). */
  public LoadedConfig withWarmUpRequests(int requests) {
    return new LoadedConfig(gateway, admin, status, alerts, accessLog, overload, source, requests);
  }
}
