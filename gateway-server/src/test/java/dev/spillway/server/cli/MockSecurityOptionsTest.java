package dev.spillway.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.server.mock.MockBackend;
import dev.spillway.server.mock.MockBackendOptions;
import dev.spillway.server.mock.MockSecurity;
import dev.spillway.server.tls.Certificates;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code mock-backend --tls-cert/--tls-key/--tls-self-signed/--require-key}. */
class MockSecurityOptionsTest {
  @TempDir
  Path dir;

  private static MockSecurity parse(String... args) {
    MockBackendCommand command = new MockBackendCommand();
    CommandLine cli = new CommandLine(command);
    cli.parseArgs(args);
    return command.security.build(cli);
  }

  @Test
  void servesHttpsFromPemFilesAndAnswers401WithoutTheKey() throws Exception {
    Certificates.Issued ca = Certificates.authority("Mock CA");
    Certificates.PemPair pair = Certificates.signed(ca, "localhost", "127.0.0.1").written(dir, "mock");
    MockSecurity security = parse("--tls-cert", pair.certificate().toString(), "--tls-key", pair.key().toString(),
        "--require-key", "sk-mock");
    assertThat(security.tls()).isNotNull();

    try (MockBackend mock = MockBackend.start(MockBackendOptions.defaults().withPort(0)
        .withLatency(Duration.ZERO), security)) {
      assertThat(mock.url()).startsWith("https://127.0.0.1:");
      HttpClient client = HttpClient.newBuilder().sslContext(trusting(ca)).build();
      HttpRequest.Builder models = HttpRequest.newBuilder(URI.create(mock.url() + "/v1/models"))
          .timeout(Duration.ofSeconds(10));

      HttpResponse<String> without = client.send(models.build(), HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> wrong = client.send(models.copy().header("x-api-key", "sk-other").build(),
          HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> mixed = client.send(models.copy().header("Authorization", "Bearer sk-mock")
          .header("api-key", "sk-other").build(), HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> right = client.send(models.copy().header("Authorization", "Bearer sk-mock").build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(without.statusCode()).isEqualTo(401);
      assertThat(without.body()).contains("\"code\":\"invalid_api_key\"");
      assertThat(wrong.statusCode()).isEqualTo(401);
      assertThat(mixed.statusCode()).isEqualTo(401);
      assertThat(right.statusCode()).isEqualTo(200);
      assertThat(right.body()).contains("mock-gpt");
    }
  }

  @Test
  void selfSignedGeneratesACertificateAtStart() {
    MockSecurity security = parse("--tls-self-signed");

    assertThat(security.tls()).isNotNull();
    assertThat(security.requiredKey()).isNull();
  }

  @Test
  void certificateWithoutKeyIsAUsageError() {
    StringWriter err = new StringWriter();
    int code = new CommandLine(new MockBackendCommand()).setErr(new PrintWriter(err))
        .execute("--port", "0", "--tls-cert", dir.resolve("c.pem").toString());

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("--tls-cert and --tls-key go together");
  }

  private static SSLContext trusting(Certificates.Issued ca) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca.certificate());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }
}
