package dev.spillway.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spillway.core.Gateway;
import dev.spillway.server.config.ConfigLoader;
import dev.spillway.server.mock.MockBackend;
import dev.spillway.server.mock.MockBackendOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS termination over loopback: handshake and request, ALPN, mTLS, certificate reload. */
class TlsTerminationIT {
  @TempDir
  Path dir;

  private final Certificates.Issued ca = Certificates.authority("Test CA");
  private MockBackend mock;
  private Gateway gateway;

  @BeforeEach
  void startMock() throws Exception {
    mock = MockBackend.start(MockBackendOptions.defaults().withPort(0).withLatency(Duration.ZERO));
  }

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
    mock.close();
  }

  private Gateway start(String tlsExtra) throws Exception {
    return start(tlsExtra, "");
  }

  private Gateway start(String tlsExtra, String serverExtra) throws Exception {
    Certificates.PemPair server = Certificates.signed(ca, "localhost", "127.0.0.1").written(dir, "server");
    String yaml = """
        server:
          host: 127.0.0.1
          port: 0
          tls:
            certificate: %s
            key: %s
        %s
        %s
        backends:
          b: { endpoints: ["http://127.0.0.1:%d"] }
        routes:
          - { name: all, match: { pathPrefix: / }, backend: b }
        """.formatted(server.certificate(), server.key(), tlsExtra.indent(4).stripTrailing(),
        serverExtra.indent(2).stripTrailing(), mock.port());
    gateway = Gateway.start(ConfigLoader.parse(yaml, "tls.yaml", Map.<String, String>of()::get));
    return gateway;
  }

  private HttpResponse<String> chat(SSLContext client) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + gateway.port()
            + "/v1/chat/completions"))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"model\":\"m\",\"max_tokens\":3,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
        .timeout(Duration.ofSeconds(20)).build();
    return TlsClients.http(client).send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** Opens a raw TLS connection offering h2 and http/1.1; returns the socket after the handshake. */
  private SSLSocket handshake(SSLContext client) throws IOException {
    SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", gateway.port());
    SSLParameters params = socket.getSSLParameters();
    params.setApplicationProtocols(new String[] {"h2", "http/1.1"});
    params.setEndpointIdentificationAlgorithm("HTTPS");
    socket.setSSLParameters(params);
    socket.setSoTimeout(10_000);
    socket.startHandshake();
    return socket;
  }

  @Test
  void terminatesTlsAndProxiesTheRequest() throws Exception {
    start("");

    HttpResponse<String> response = chat(TlsClients.context(ca, null));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("chat.completion");
  }

  @Test
  void alpnSelectsHttp11AndNeverH2() throws Exception {
    start("", "http2: {enabled: false}");
    try (SSLSocket socket = handshake(TlsClients.context(ca, null))) {
      assertThat(socket.getApplicationProtocol()).isEqualTo("http/1.1");
      assertThat(socket.getSession().getProtocol()).isIn("TLSv1.3", "TLSv1.2");
    }
  }

  @Test
  void alpnSelectsH2WhileHttp2IsOn() throws Exception {
    start("");
    try (SSLSocket socket = handshake(TlsClients.context(ca, null))) {
      assertThat(socket.getApplicationProtocol()).isEqualTo("h2");
    }
  }

  @Test
  void plainHttpToTheTlsPortIsRefused() throws Exception {
    start("");
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/v1/models"))
        .timeout(Duration.ofSeconds(10)).build();
    assertThatThrownBy(() -> TlsClients.http(SSLContext.getDefault()).send(request,
        HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
  }

  @Test
  void mutualTlsRequiresACertificateFromTheClientCa() throws Exception {
    Certificates.writeCertificates(dir.resolve("client-ca.pem"), ca.certificate());
    start("clientAuth: require\nclientCa: " + dir.resolve("client-ca.pem"));
    Certificates.Issued goodClient = Certificates.signed(ca, "client-a");
    Certificates.Issued strangerCa = Certificates.authority("Other CA");
    Certificates.Issued stranger = Certificates.signed(strangerCa, "client-b");

    assertThat(chat(TlsClients.context(ca, goodClient)).statusCode()).isEqualTo(200);
    assertThatThrownBy(() -> chat(TlsClients.context(ca, null))).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> chat(TlsClients.context(ca, stranger))).isInstanceOf(IOException.class);
  }

  @Test
  void optionalClientAuthLetsClientsWithoutACertificateIn() throws Exception {
    Certificates.writeCertificates(dir.resolve("client-ca.pem"), ca.certificate());
    start("clientAuth: optional\nclientCa: " + dir.resolve("client-ca.pem"));

    assertThat(chat(TlsClients.context(ca, null)).statusCode()).isEqualTo(200);
    assertThat(chat(TlsClients.context(ca, Certificates.signed(ca, "client-a"))).statusCode()).isEqualTo(200);
  }

  @Test
  void reloadsAChangedCertificateAndKeepsTheOldOneWhenTheNewFileIsBad() throws Exception {
    start("");
    SSLContext client = TlsClients.context(ca, null);
    X509Certificate first = served(client);

    // Replace both files the way deploy tools do: write aside, then move into place.
    Certificates.PemPair next = Certificates.signed(ca, "localhost", "127.0.0.1").written(dir, "next");
    Files.move(next.certificate(), dir.resolve("server.pem"), StandardCopyOption.REPLACE_EXISTING);
    Files.move(next.key(), dir.resolve("server-key.pem"), StandardCopyOption.REPLACE_EXISTING);
    assertThat(gateway.serverTls().reloadIfChanged()).isTrue();
    X509Certificate second = served(client);
    assertThat(second.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
    assertThat(gateway.serverTls().reloadIfChanged()).as("nothing changed since").isFalse();

    Files.writeString(dir.resolve("server-key.pem"), "-----BEGIN PRIVATE KEY-----\nnot a key\n"
        + "-----END PRIVATE KEY-----\n");
    assertThat(gateway.serverTls().reloadIfChanged()).isFalse();
    assertThat(served(client).getSerialNumber()).isEqualTo(second.getSerialNumber());
    assertThat(chat(client).statusCode()).isEqualTo(200);
  }

  private X509Certificate served(SSLContext client) throws IOException {
    try (SSLSocket socket = handshake(client)) {
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }
  }
}
