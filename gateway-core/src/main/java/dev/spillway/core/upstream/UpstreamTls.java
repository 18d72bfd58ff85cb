package dev.spillway.core.upstream;

import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.BackendTlsConfig;
import dev.spillway.core.config.EndpointAddress;
import dev.spillway.core.tls.PemFiles;
import dev.spillway.core.tls.ServerTls;
import dev.spillway.core.tls.TlsFileException;
import dev.spillway.core.tls.TlsProvider;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS towards one backend's {@code https://} endpoints: one client context per backend, and per connection a
 * handler that sends the server name (SNI) and checks the certificate against it (hostname verification), both
 * on unless the backend's {@code tls} turns verification off. The name is the endpoint's host, or
 * {@link BackendTlsConfig#serverName()}.
 *
 * <p>The handler goes first in the connection's pipeline; a connection is handed to a request only once its
 * handshake succeeded, and a failed handshake counts as a failed connect.
 */
public final class UpstreamTls {
  private static final Logger log = LoggerFactory.getLogger(UpstreamTls.class);
  static final String HANDLER_NAME = "tls";

  private final SslContext context;
  private final String serverName;
  private final long handshakeTimeoutMillis;

  private UpstreamTls(SslContext context, String serverName, long handshakeTimeoutMillis) {
    this.context = context;
    this.serverName = serverName;
    this.handshakeTimeoutMillis = handshakeTimeoutMillis;
  }

  /**
   * The TLS of {@code config}'s {@code https://} endpoints, or {@code null} when it has none.
   *
   * @throws TlsFileException naming a CA, certificate or key file that cannot be used
   */
  public static UpstreamTls of(BackendConfig config) {
    UpstreamTls tls = build(config);
    if (tls != null && config.tls().insecureSkipVerify()) {
      log.warn("backend {}: TLS certificate verification is off (insecureSkipVerify)", config.name());
    }
    return tls;
  }

  /**
   * Reads {@code config}'s TLS files as {@link #of} does, without logging (config validation).
   *
   * @throws TlsFileException naming a CA, certificate or key file that cannot be used
   */
  public static void check(BackendConfig config) {
    build(config);
  }

  private static UpstreamTls build(BackendConfig config) {
    if (!config.usesTls()) {
      return null;
    }
    BackendTlsConfig tls = config.tls();
    SslContextBuilder builder = SslContextBuilder.forClient()
        .sslProvider(TlsProvider.get())
        .protocols("TLSv1.3", "TLSv1.2")
        .ciphers(ServerTls.MODERN_CIPHERS, SupportedCipherSuiteFilter.INSTANCE);
    if (tls.insecureSkipVerify()) {
      builder.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
    } else {
      builder.endpointIdentificationAlgorithm("HTTPS");
      if (tls.caFile() != null) {
        builder.trustManager(PemFiles.certificates(tls.caFile()));
      }
    }
    if (tls.clientCertificate() != null) {
      List<X509Certificate> chain = PemFiles.certificates(tls.clientCertificate());
      builder.keyManager(PemFiles.privateKey(tls.clientKey(), chain.get(0)), chain);
    }
    try {
      return new UpstreamTls(builder.build(), tls.serverName(), Math.max(1, config.connectTimeout().toMillis()));
    } catch (SSLException e) {
      throw new TlsFileException(tls.caFile() != null ? tls.caFile() : java.nio.file.Path.of("(default trust)"),
          "cannot build the TLS context of backend " + config.name() + ": " + e.getMessage(), e);
    }
  }

  /** Puts a TLS handler for {@code address} first in {@code ch}'s pipeline, if the address is {@code https}. */
  public void addHandler(Channel ch, EndpointAddress address) {
    if (!address.secure()) {
      return;
    }
    String name = serverName != null ? serverName : address.host();
    SslHandler handler = context.newHandler(ch.alloc(), name, address.port());
    handler.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
    ch.pipeline().addFirst(HANDLER_NAME, handler);
  }

  /** {@code ch}'s TLS handler, or {@code null} for a plain connection. */
  static SslHandler handlerOf(Channel ch) {
    return ch.pipeline().get(SslHandler.class);
  }
}
