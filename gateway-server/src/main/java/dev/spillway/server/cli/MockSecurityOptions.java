package dev.spillway.server.cli;

import dev.spillway.core.tls.PemFiles;
import dev.spillway.core.tls.TlsFileException;
import dev.spillway.core.tls.TlsProvider;
import dev.spillway.server.mock.MockSecurity;
import dev.spillway.server.tls.Certificates;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLException;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The mock backend's TLS and provider-mode options: {@code --tls-cert}/{@code --tls-key} (PEM files),
 * {@code --tls-self-signed} (a certificate for localhost and 127.0.0.1 generated at start) and
 * {@code --require-key}.
 */
final class MockSecurityOptions {
  @Option(names = "--tls-cert", description = "PEM certificate chain: serve HTTPS (with --tls-key).")
  Path certificate;

  @Option(names = "--tls-key", description = "PEM (PKCS#8) private key of --tls-cert.")
  Path key;

  @Option(names = "--tls-self-signed",
      description = "Serve HTTPS with a self-signed certificate for localhost and 127.0.0.1, made at start.")
  boolean selfSigned;

  @Option(names = "--require-key", description = "Provider mode: answer 401 (OpenAI's shape) to any request "
      + "without this API key (Authorization: Bearer, api-key or x-api-key).")
  String requiredKey;

  /** The security the options ask for; a bad combination or file is a parameter error. */
  MockSecurity build(CommandLine commandLine) {
    if ((certificate == null) != (key == null)) {
      throw new CommandLine.ParameterException(commandLine, "--tls-cert and --tls-key go together");
    }
    if (certificate != null && selfSigned) {
      throw new CommandLine.ParameterException(commandLine, "--tls-self-signed excludes --tls-cert/--tls-key");
    }
    try {
      return new MockSecurity(tls(), requiredKey);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(commandLine, e.getMessage(), e);
    }
  }

  private SslContext tls() {
    PrivateKey privateKey;
    List<X509Certificate> chain;
    if (selfSigned) {
      Certificates.Issued issued = Certificates.selfSigned("localhost", "127.0.0.1");
      privateKey = issued.key();
      chain = List.of(issued.certificate());
    } else if (certificate != null) {
      chain = PemFiles.certificates(certificate);
      privateKey = PemFiles.privateKey(key, chain.get(0));
    } else {
      return null;
    }
    try {
      return SslContextBuilder.forServer(privateKey, chain).sslProvider(TlsProvider.get()).build();
    } catch (SSLException e) {
      throw new TlsFileException(certificate == null ? Path.of("(self-signed)") : certificate, e.getMessage(), e);
    }
  }
}
