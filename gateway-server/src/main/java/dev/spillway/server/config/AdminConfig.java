package dev.spillway.server.config;

import dev.spillway.core.config.Checks;

/**
 * The admin server: metrics, health, status page and effective config, on its own port.
 *
 * @param enabled whether the admin server starts at all
 * @param host the address it listens on; loopback by default, so nothing is exposed unless configured
 * @param port its port (0 picks a free one)
 * @param token a bearer token every admin request except {@code /healthz} and {@code /readyz} must carry, or
 *     {@code null} for none
 */
public record AdminConfig(boolean enabled, String host, int port, String token) {
  public static final boolean DEFAULT_ENABLED = true;
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 9901;
  public static final AdminConfig DEFAULTS = new AdminConfig(DEFAULT_ENABLED, DEFAULT_HOST, DEFAULT_PORT, null);

  public AdminConfig {
    Checks.notBlank("host", host);
    Checks.inRange("port", port, 0, 65535);
    if (token != null && token.isBlank()) {
      token = null;
    }
  }

  /** The same settings on another port. */
  public AdminConfig withPort(int newPort) {
    return new AdminConfig(enabled, host, newPort, token);
  }

  /** The same settings with another token ({@code null} for none). */
  public AdminConfig withToken(String newToken) {
    return new AdminConfig(enabled, host, port, newToken);
  }

  /** Never shows the token. */
  @Override
  public String toString() {
    return "AdminConfig[enabled=" + enabled + ", host=" + host + ", port=" + port + ", token="
        + (token == null ? "none" : "(redacted)") + "]";
  }
}
