package dev.spillway.server.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * Binds the server-side top-level sections gateway-core does not know: {@code admin}, {@code status},
 * {@code alerts} and {@code accessLog}. Absent sections take their defaults; errors are reported like every
 * other binder's (key path, line) and binding carries on.
 */
final class MonitoringBinder {
  static final List<String> ROOT_KEYS = List.of("admin", "status", "alerts", "accessLog");
  static final List<String> ADMIN_KEYS = List.of("enabled", "host", "port", "token");
  static final List<String> STATUS_KEYS = List.of("window", "minRequests", "degradedErrorRate", "outageErrorRate",
      "atCapacityShedRate", "resolveAfter", "groupWindow", "maxIncidents", "public");
  static final List<String> ALERTS_KEYS = List.of("webhooks", "retries", "backoff", "timeout");
  static final List<String> ACCESS_LOG_KEYS = List.of("enabled", "sampleRate", "maxShedPerSecond");

  private MonitoringBinder() {}

  /** The four sections, each bound or (after reporting) at its defaults. */
  record Sections(AdminConfig admin, StatusConfig status, AlertsConfig alerts, AccessLogConfig accessLog) {}

  static Sections bind(MappingReader root) {
    AdminConfig admin = admin(root.mapping("admin"));
    StatusConfig status = status(root.mapping("status"), PublicPageBinder.routeNames(root));
    AlertsConfig alerts = alerts(root.mapping("alerts"));
    AccessLogConfig accessLog = accessLog(root.mapping("accessLog"));
    return new Sections(admin == null ? AdminConfig.DEFAULTS : admin, status == null ? StatusConfig.DEFAULTS : status,
        alerts == null ? AlertsConfig.DEFAULTS : alerts, accessLog == null ? AccessLogConfig.DEFAULTS : accessLog);
  }

  private static AdminConfig admin(MappingReader admin) {
    if (admin == null) {
      return null;
    }
    admin.rejectUnknownKeys(ADMIN_KEYS);
    boolean enabled = admin.bool("enabled", AdminConfig.DEFAULT_ENABLED);
    String host = admin.string("host", AdminConfig.DEFAULT_HOST);
    int port = admin.integer("port", AdminConfig.DEFAULT_PORT);
    // A secret: only a quoted string is taken, and no error message ever quotes it.
    List<String> token = admin.secretList("token", "a token", t -> t);
    return admin.construct(() -> new AdminConfig(enabled, host, port,
        token == null || token.isEmpty() ? null : token.get(0)));
  }

  private static StatusConfig status(MappingReader status, java.util.Set<String> routeNames) {
    if (status == null) {
      return null;
    }
    status.rejectUnknownKeys(STATUS_KEYS);
    StatusConfig d = StatusConfig.DEFAULTS;
    Duration window = status.duration("window", d.window());
    int minRequests = status.integer("minRequests", d.minRequests());
    double degraded = status.decimal("degradedErrorRate", d.degradedErrorRate());
    double outage = status.decimal("outageErrorRate", d.outageErrorRate());
    double atCapacity = status.decimal("atCapacityShedRate", d.atCapacityShedRate());
    Duration resolveAfter = status.duration("resolveAfter", d.resolveAfter());
    Duration groupWindow = status.duration("groupWindow", d.groupWindow());
    int maxIncidents = status.integer("maxIncidents", d.maxIncidents());
    PublicPageConfig bound = PublicPageBinder.bind(status.mapping("public"), routeNames);
    PublicPageConfig publicPage = bound == null ? PublicPageConfig.DISABLED : bound;
    return status.construct(() -> new StatusConfig(window, minRequests, degraded, outage, atCapacity, resolveAfter,
        groupWindow, maxIncidents, publicPage));
  }

  private static AlertsConfig alerts(MappingReader alerts) {
    if (alerts == null) {
      return null;
    }
    alerts.rejectUnknownKeys(ALERTS_KEYS);
    // Webhook URLs carry secrets (a Slack URL is its own credential), so they are read like keys.
    List<URI> webhooks = alerts.secretList("webhooks", "a URL", MonitoringBinder::uri);
    int retries = alerts.integer("retries", AlertsConfig.DEFAULT_RETRIES);
    Duration backoff = alerts.duration("backoff", AlertsConfig.DEFAULT_BACKOFF);
    Duration timeout = alerts.duration("timeout", AlertsConfig.DEFAULT_TIMEOUT);
    if (webhooks == null) {
      return null;
    }
    return alerts.construct(() -> new AlertsConfig(webhooks, retries, backoff, timeout));
  }

  private static AccessLogConfig accessLog(MappingReader log) {
    if (log == null) {
      return null;
    }
    log.rejectUnknownKeys(ACCESS_LOG_KEYS);
    boolean enabled = log.bool("enabled", AccessLogConfig.DEFAULTS.enabled());
    double sampleRate = log.decimal("sampleRate", AccessLogConfig.DEFAULT_SAMPLE_RATE);
    int maxShed = log.integer("maxShedPerSecond", AccessLogConfig.DEFAULT_MAX_SHED_PER_SECOND);
    return log.construct(() -> new AccessLogConfig(enabled, sampleRate, maxShed));
  }

  private static URI uri(String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("not a URL (expected: http://host/path or https://host/path)");
    }
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
      throw new IllegalArgumentException("not an http or https URL (expected: http://host/path or https://host/path)");
    }
    return uri;
  }
}
