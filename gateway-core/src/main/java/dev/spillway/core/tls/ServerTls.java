package dev.spillway.core.tls;

import dev.spillway.core.config.ServerTlsConfig;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS termination for the client listener: the current server context, and its reload when the certificate,
 * key or client-CA file changes. Each new connection takes whatever context is current; a reload swaps it in
 * one step, so connections never see half of an old and half of a new certificate. A changed file that cannot
 * be used leaves the old context in place and is logged, naming the file.
 *
 * <p>Files are polled every {@link ServerTlsConfig#reloadInterval()} on a thread of their own (reading files on
 * an event loop would stall its connections).
 */
public final class ServerTls implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ServerTls.class);

  /** Offered through ALPN while HTTP/2 is off. */
  static final List<String> ALPN_HTTP1 = List.of(ApplicationProtocolNames.HTTP_1_1);
  /** Offered through ALPN while HTTP/2 is on, most preferred first. */
  static final List<String> ALPN_HTTP2 = List.of(ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1);

  /** TLS 1.2 suites when none are configured: forward secrecy and AEAD only. TLS 1.3 suites are all modern. */
  public static final List<String> MODERN_CIPHERS = List.of(
      "TLS_AES_128_GCM_SHA256",
      "TLS_AES_256_GCM_SHA384",
      "TLS_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  private final ServerTlsConfig config;
  private final long handshakeTimeoutMillis;
  /** The protocols ALPN offers. */
  private final List<String> alpn;
  private final AtomicReference<SslContext> current = new AtomicReference<>();
  /** The files as last loaded or last refused; only the reload path touches it. */
  private FileStamps stamps;
  private ScheduledExecutorService watcher;

  private ServerTls(ServerTlsConfig config, Duration handshakeTimeout, boolean http2) {
    this.config = config;
    this.alpn = http2 ? ALPN_HTTP2 : ALPN_HTTP1;
    this.handshakeTimeoutMillis = Math.max(1, handshakeTimeout.toMillis());
  }

  /**
   * Loads the files of {@code config}.
   *
   * @param handshakeTimeout how long a client may take to complete the handshake
   * @throws TlsFileException naming the file that cannot be used
   */
  public static ServerTls load(ServerTlsConfig config, Duration handshakeTimeout) {
    return load(config, handshakeTimeout, false);
  }

  /**
   * Loads the files of {@code config}, offering {@code h2} before {@code http/1.1} through ALPN when
   * {@code http2} is on.
   *
   * @throws TlsFileException naming the file that cannot be used
   */
  public static ServerTls load(ServerTlsConfig config, Duration handshakeTimeout, boolean http2) {
    ServerTls tls = new ServerTls(config, handshakeTimeout, http2);
    tls.stamps = FileStamps.of(config.certificate(), config.key(), config.clientCa());
    tls.current.set(tls.build());
    return tls;
  }

  /** Whether ALPN offers {@code h2}. */
  public boolean offersHttp2() {
    return alpn.contains(ApplicationProtocolNames.HTTP_2);
  }

  /** A handler for a new client connection, with the current context. */
  public SslHandler newHandler(ByteBufAllocator alloc) {
    SslHandler handler = current.get().newHandler(alloc);
    handler.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
    return handler;
  }

  /** The context new connections get now. */
  public SslContext context() {
    return current.get();
  }

  /** Polls the files every {@code reloadInterval} until {@link #close()}. */
  public synchronized void startWatching() {
    if (watcher != null) {
      return;
    }
    watcher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "spillway-tls-reload");
      t.setDaemon(true);
      return t;
    });
    long period = config.reloadInterval().toMillis();
    watcher.scheduleWithFixedDelay(this::reloadIfChanged, period, period, TimeUnit.MILLISECONDS);
  }

  /**
   * Rebuilds the context if any file changed since it was last read; returns whether a new context is in
   * place. A file that cannot be used is logged once per change and the old context kept.
   */
  public synchronized boolean reloadIfChanged() {
    FileStamps now = FileStamps.of(config.certificate(), config.key(), config.clientCa());
    if (now.equals(stamps)) {
      return false;
    }
    stamps = now;
    try {
      current.set(build());
      log.info("TLS: reloaded {} and {}", config.certificate(), config.key());
      return true;
    } catch (TlsFileException e) {
      log.error("TLS: kept the previous certificate, {}", e.getMessage());
      return false;
    } catch (RuntimeException e) {
      log.error("TLS: kept the previous certificate, {} or {} cannot be used: {}", config.certificate(),
          config.key(), e.toString());
      return false;
    }
  }

  @Override
  public synchronized void close() {
    if (watcher != null) {
      watcher.shutdownNow();
      watcher = null;
    }
  }

  private SslContext build() {
    List<X509Certificate> chain = PemFiles.certificates(config.certificate());
    PrivateKey key = PemFiles.privateKey(config.key(), chain.get(0));
    SslContextBuilder builder = SslContextBuilder.forServer(key, chain)
        .sslProvider(TlsProvider.get())
        .protocols(config.protocols())
        .ciphers(config.ciphers().isEmpty() ? MODERN_CIPHERS : config.ciphers(), SupportedCipherSuiteFilter.INSTANCE)
        .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
    if (config.clientCa() != null) {
      builder.trustManager(PemFiles.certificates(config.clientCa()));
    }
    builder.clientAuth(switch (config.clientAuth()) {
      case NONE -> ClientAuth.NONE;
      case OPTIONAL -> ClientAuth.OPTIONAL;
      case REQUIRE -> ClientAuth.REQUIRE;
    });
    try {
      return builder.build();
    } catch (SSLException e) {
      throw new TlsFileException(config.certificate(), "cannot be used with " + config.key() + ": "
          + e.getMessage(), e);
    }
  }
}
