package dev.spillway.core.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * TLS on the client-facing listener ({@code server.tls}).
 *
 * @param certificate PEM file with the server's certificate chain, leaf first
 * @param key PEM file with the certificate's private key (PKCS#8, unencrypted)
 * @param clientCa PEM file with the CA certificates client certificates must chain to, or {@code null}
 * @param clientAuth whether a client certificate is asked for; anything but {@link ClientAuth#NONE} needs
 *     {@code clientCa}
 * @param protocols TLS versions offered, a non-empty subset of {@code TLSv1.3} and {@code TLSv1.2}
 * @param ciphers cipher suites (IANA names) for TLS 1.2; empty means the modern default (ECDHE with AES-GCM
 *     or ChaCha20-Poly1305)
 * @param reloadInterval how often the certificate, key and CA files are checked for changes
 */
public record ServerTlsConfig(Path certificate, Path key, Path clientCa, ClientAuth clientAuth,
    List<String> protocols, List<String> ciphers, Duration reloadInterval) {
  public static final List<String> SUPPORTED_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
  public static final List<String> DEFAULT_PROTOCOLS = SUPPORTED_PROTOCOLS;
  public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(10);

  public ServerTlsConfig {
    Checks.notNull("certificate", certificate);
    Checks.notNull("key", key);
    Checks.notNull("clientAuth", clientAuth);
    Checks.notNull("protocols", protocols);
    Checks.notNull("ciphers", ciphers);
    Checks.positive("reloadInterval", reloadInterval);
    protocols = List.copyOf(protocols);
    ciphers = List.copyOf(ciphers);
    if (protocols.isEmpty()) {
      throw new ConfigException("protocols", "[] (expected: at least one of " + SUPPORTED_PROTOCOLS + ")");
    }
    if (Set.copyOf(protocols).size() != protocols.size()) {
      throw new ConfigException("protocols", protocols + " names a version twice");
    }
    for (String protocol : protocols) {
      if (!SUPPORTED_PROTOCOLS.contains(protocol)) {
        throw new ConfigException("protocols", "\"" + protocol + "\" (expected: one of " + SUPPORTED_PROTOCOLS
            + ")");
      }
    }
    if (clientAuth != ClientAuth.NONE && clientCa == null) {
      throw new ConfigException("clientCa", "missing (expected: a PEM file of client CA certificates, since "
          + "clientAuth is " + clientAuth.name().toLowerCase(java.util.Locale.ROOT) + ")");
    }
  }

  /** A listener with {@code certificate} and {@code key}, no client certificates, modern defaults. */
  public static ServerTlsConfig of(Path certificate, Path key) {
    return new ServerTlsConfig(certificate, key, null, ClientAuth.NONE, DEFAULT_PROTOCOLS, List.of(),
        DEFAULT_RELOAD_INTERVAL);
  }
}
