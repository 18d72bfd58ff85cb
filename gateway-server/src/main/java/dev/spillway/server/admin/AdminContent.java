package dev.spillway.server.admin;

import dev.spillway.server.statuspage.PublicStatusPage;

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

  /**
   * The status page's chart data for one component ({@code gateway}, {@code route:NAME}, {@code backend:NAME}),
   * or {@code null} when there is no such component.
   */
  default byte[] chartsJson(String component) {
    return null;
  }

  /** The live config's reload state as JSON ({@code GET /config/reload}), or {@code null} when there is none. */
  default byte[] reloadJson() {
    return null;
  }

  /** The public status page, or {@code null} when none is configured. */
  default PublicStatusPage publicPage() {
    return null;
  }

  /**
   * Takes an operator's {@code POST} to {@code path} ({@code /incidents} or {@code /incidents/ID/updates}) with
   * a JSON {@code body}; the caller has checked the token.
   */
  default Reply post(String path, byte[] body) {
    return Reply.error(404, "not_found", null, "nothing to post to at " + path);
  }

  /** An answer to a {@code POST}: its status and JSON body. */
  record Reply(int status, byte[] json) {
    /** An error in the OpenAI error shape. */
    static Reply error(int status, String code, String param, String message) {
      return new Reply(status, AdminErrors.json(code, param, message));
    }
  }
  /** The incident controls ({@code /overrides}), or {@code null} when there is no gateway to control. */
  default OverridesApi overrides() {
    return null;
  }
}
