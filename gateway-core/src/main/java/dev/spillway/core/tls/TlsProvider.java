package dev.spillway.core.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which TLS implementation every context uses: OpenSSL (BoringSSL from {@code netty-tcnative-boringssl-static})
 * when its native library loads on this platform, the JDK's otherwise. Decided and logged once.
 */
public final class TlsProvider {
  private static final Logger log = LoggerFactory.getLogger(TlsProvider.class);

  private TlsProvider() {}

  /** The provider for new contexts. */
  public static SslProvider get() {
    return Holder.PROVIDER;
  }

  private static final class Holder {
    static final SslProvider PROVIDER = choose();

    private static SslProvider choose() {
      if (OpenSsl.isAvailable()) {
        log.info("TLS: OpenSSL provider ({})", OpenSsl.versionString());
        return SslProvider.OPENSSL;
      }
      Throwable cause = OpenSsl.unavailabilityCause();
      log.info("TLS: JDK provider (OpenSSL unavailable: {})", cause == null ? "unknown" : cause.toString());
      return SslProvider.JDK;
    }
  }
}
