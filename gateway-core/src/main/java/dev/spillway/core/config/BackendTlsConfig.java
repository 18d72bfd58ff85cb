package dev.spillway.core.config;

import java.nio.file.Path;

/**
 * TLS towards a backend's {@code https://} endpoints ({@code backends.<name>.tls}). Without it, such endpoints
 * are verified against the JDK's trusted CAs with the endpoint's host as the server name.
 *
 * @param caFile PEM file with the CA certificates to trust instead of the JDK's, or {@code null}
 * @param insecureSkipVerify accept any server certificate and name (tests only: it removes the protection TLS
 *     gives against an impostor)
 * @param clientCertificate PEM certificate chain presented to backends that ask for one, or {@code null}
 * @param clientKey the client certificate's private key (PKCS#8 PEM); set exactly when
 *     {@code clientCertificate} is
 * @param serverName the name sent in SNI and checked against the certificate, instead of the endpoint's host;
 *     or {@code null}
 */
public record BackendTlsConfig(Path caFile, boolean insecureSkipVerify, Path clientCertificate, Path clientKey,
    String serverName) {
  /** Verify against the JDK's trusted CAs, no client certificate. */
  public static final BackendTlsConfig DEFAULTS = new BackendTlsConfig(null, false, null, null, null);

  public BackendTlsConfig {
    if ((clientCertificate == null) != (clientKey == null)) {
      throw new ConfigException(clientCertificate == null ? "clientCertificate" : "clientKey",
          "missing (expected: clientCertificate and clientKey are set together)");
    }
    if (serverName != null) {
      Checks.notBlank("serverName", serverName);
    }
  }
}
