package dev.spillway.server.admin;

/** What the admin server serves; every method is cheap (pre-rendered) except the metrics scrape. */
public interface AdminContent {
  /** Prometheus text exposition. */
  String metricsText();

  /** Why the gateway is not ready, or {@code null} when it is (evaluated now). */
  String notReadyReason();

  byte[] statusJson();

  byte[] incidentsJson();

  /** The status page's feed. */
  byte[] dashboardJson();

  /** The effective config, secrets redacted. */
  byte[] configJson();

  /** The incident controls ({@code /overrides}), or {@code null} when there is no gateway to control. */
  default OverridesApi overrides() {
    return null;
  }
}
