package dev.spillway.server.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.Gateway;
import dev.spillway.core.tls.TlsProvider;
import dev.spillway.server.config.ConfigLoader;
import dev.spillway.server.mock.MockBackend;
import dev.spillway.server.mock.MockBackendOptions;
import dev.spillway.server.mock.MockSecurity;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS upstreams and provider backends: verification, SNI, injected keys, path rewrites, over loopback to a
 * TLS mock provider or a recording TLS backend.
 */
class UpstreamTlsIT {
  static final String PROVIDER_KEY = "sk-provider-0123456789";

  @TempDir
  Path dir;

  private final Certificates.Issued ca = Certificates.authority("Backend CA");
  private final Certificates.Issued backendCert = Certificates.signed(ca, "localhost", "127.0.0.1",
      "api.backend.test");
  private final Map<String, String> env = new HashMap<>(Map.of("OPENAI_API_KEY", PROVIDER_KEY));
  private Gateway gateway;
  private MockBackend mock;
  private RecordingTlsBackend recorder;

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
    if (mock != null) {
      mock.close();
    }
    if (recorder != null) {
      recorder.close();
    }
  }

  private SslContext backendContext() throws Exception {
    return SslContextBuilder.forServer(backendCert.key(), backendCert.certificate())
        .sslProvider(TlsProvider.get()).build();
  }

  private Path caFile() {
    Path file = dir.resolve("backend-ca.pem");
    Certificates.writeCertificates(file, ca.certificate());
    return file;
  }

  private void startGateway(String backendYaml) throws Exception {
    String yaml = """
        server: { host: 127.0.0.1, port: 0, ioThreads: 1 }
        backends:
          b:
        %s
        routes:
          - { name: all, match: { pathPrefix: / }, backend: b }
        """.formatted(backendYaml.indent(4).stripTrailing());
    gateway = Gateway.start(ConfigLoader.parse(yaml, "upstream.yaml", env::get));
  }

  private HttpResponse<String> chat(Map<String, String> headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port()
            + "/v1/chat/completions?trace=1"))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"model\":\"gpt-4o\",\"max_tokens\":3,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
        .timeout(Duration.ofSeconds(20));
    headers.forEach(request::header);
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
        .send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void httpsUpstreamVerifiedAgainstTheCaFile() throws Exception {
    mock = MockBackend.start(MockBackendOptions.defaults().withPort(0).withLatency(Duration.ZERO),
        new MockSecurity(backendContext(), null));
    startGateway("""
        endpoints: ["https://localhost:%d"]
        tls: { caFile: %s }
        """.formatted(mock.port(), caFile()));

    HttpResponse<String> response = chat(Map.of());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("chat.completion");
  }

  @Test
  void hostnameVerificationFailsForAnotherNameAsAConnectError() throws Exception {
    mock = MockBackend.start(MockBackendOptions.defaults().withPort(0).withLatency(Duration.ZERO),
        new MockSecurity(backendContext(), null));
    startGateway("""
        endpoints: ["https://127.0.0.1:%d"]
        tls: { caFile: %s, serverName: api.example.com }
        """.formatted(mock.port(), caFile()));

    HttpResponse<String> response = chat(Map.of());

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body()).contains("upstream_connect_error");
    assertThat(mock.requestsServed()).isZero();
  }

  @Test
  void untrustedCertificateIsRefusedByDefault() throws Exception {
    mock = MockBackend.start(MockBackendOptions.defaults().withPort(0).withLatency(Duration.ZERO),
        new MockSecurity(backendContext(), null));
    startGateway("endpoints: [\"https://localhost:%d\"]".formatted(mock.port()));

    assertThat(chat(Map.of()).statusCode()).isEqualTo(502);
    assertThat(mock.requestsServed()).isZero();
  }

  @Test
  void insecureSkipVerifyAcceptsAnyCertificate() throws Exception {
    mock = MockBackend.start(MockBackendOptions.defaults().withPort(0).withLatency(Duration.ZERO),
        new MockSecurity(backendContext(), null));
    startGateway("""
        endpoints: ["https://127.0.0.1:%d"]
        tls: { insecureSkipVerify: true, serverName: api.example.com }
        """.formatted(mock.port()));

    assertThat(chat(Map.of()).statusCode()).isEqualTo(200);
  }

  @Test
  void sendsTheServerNameInSniAndVerifiesIt() throws Exception {
    // SNI carries DNS names with a dot only (RFC 6066), so the name comes from serverName here.
    recorder = new RecordingTlsBackend(backendContext());
    startGateway("""
        endpoints: ["https://127.0.0.1:%d"]
        tls: { caFile: %s, serverName: api.backend.test }
        """.formatted(recorder.port(), caFile()));

    assertThat(chat(Map.of()).statusCode()).isEqualTo(200);
    assertThat(chat(Map.of()).statusCode()).isEqualTo(200);

    RecordingTlsBackend.Seen first = recorder.next();
    assertThat(first.sni()).isEqualTo("api.backend.test");
    assertThat(first.headers().get("host")).isEqualTo("127.0.0.1:" + recorder.port());
    assertThat(recorder.next().sni()).isEqualTo("api.backend.test");
  }

  @Test
  void providerKeyReplacesTheClientsAndPathPrefixApplies() throws Exception {
    recorder = new RecordingTlsBackend(backendContext());
    startGateway("""
        endpoints: ["https://localhost:%d"]
        tls: { caFile: %s }
        removeClientKey: true
        pathPrefix: /openai
        requestHeaders:
          set: { Authorization: "Bearer ${OPENAI_API_KEY}", OpenAI-Organization: org-1 }
          remove: [x-debug]
        """.formatted(recorder.port(), caFile()));

    assertThat(chat(Map.of("Authorization", "Bearer sk-client", "x-api-key", "sk-client", "api-key", "sk-client",
        "x-debug", "1")).statusCode()).isEqualTo(200);

    RecordingTlsBackend.Seen seen = recorder.next();
    assertThat(seen.uri()).isEqualTo("/openai/v1/chat/completions?trace=1");
    assertThat(seen.headers().getAll("authorization")).containsExactly("Bearer " + PROVIDER_KEY);
    assertThat(seen.headers().get("openai-organization")).isEqualTo("org-1");
    assertThat(seen.headers().contains("x-api-key")).isFalse();
    assertThat(seen.headers().contains("api-key")).isFalse();
    assertThat(seen.headers().contains("x-debug")).isFalse();
  }

  @Test
  void azurePathTemplateUsesTheRequestsModel() throws Exception {
    recorder = new RecordingTlsBackend(backendContext());
    env.put("AZURE_OPENAI_API_KEY", "azure-key-1");
    startGateway("""
        endpoints: ["https://localhost:%d"]
        tls: { caFile: %s }
        removeClientKey: true
        path: /openai/deployments/{model}/chat/completions?api-version=2024-10-21
        requestHeaders:
          set: { api-key: "${AZURE_OPENAI_API_KEY}" }
        """.formatted(recorder.port(), caFile()));

    assertThat(chat(Map.of("Authorization", "Bearer sk-client")).statusCode()).isEqualTo(200);
    // The second request finds a pooled connection at once: the model must still be read from its body first.
    assertThat(chat(Map.of("Authorization", "Bearer sk-client")).statusCode()).isEqualTo(200);

    for (int i = 0; i < 2; i++) {
      RecordingTlsBackend.Seen seen = recorder.next();
      assertThat(seen.uri()).isEqualTo("/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21");
      assertThat(seen.headers().get("api-key")).isEqualTo("azure-key-1");
      assertThat(seen.headers().contains("authorization")).isFalse();
    }
  }

  @Test
  void azurePathTemplateWithoutAModelIsABadRequest() throws Exception {
    recorder = new RecordingTlsBackend(backendContext());
    startGateway("""
        endpoints: ["https://localhost:%d"]
        tls: { caFile: %s }
        path: /openai/deployments/{model}/chat/completions?api-version=2024-10-21
        """.formatted(recorder.port(), caFile()));

    HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/v1/chat/completions"))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"messages\":[]}"))
            .timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("\"code\":\"model_required\"");
    assertThat(recorder.seen).isEmpty();
  }

  @Test
  void failsOverFromADeadSelfHostedTierToTheProviderWithItsKeyPathAndModel() throws Exception {
    recorder = new RecordingTlsBackend(backendContext());
    int deadPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      deadPort = s.getLocalPort();
    }
    String yaml = """
        server: { host: 127.0.0.1, port: 0, ioThreads: 1 }
        backends:
          vllm: { endpoints: ["http://127.0.0.1:%d"] }
          azure:
            endpoints: ["https://localhost:%d"]
            tls: { caFile: %s }
            removeClientKey: true
            path: /openai/deployments/{model}/chat/completions?api-version=2024-10-21
            requestHeaders:
              set: { api-key: "${OPENAI_API_KEY}" }
        routes:
          - name: chat
            match: { pathPrefix: / }
            backends:
              - { backend: vllm }
              - { backend: azure, model: my-deployment }
            retry: { maxAttempts: 2, backoff: { base: 1ms, max: 5ms } }
        """.formatted(deadPort, recorder.port(), caFile());
    gateway = Gateway.start(ConfigLoader.parse(yaml, "failover.yaml", env::get));

    HttpResponse<String> response = chat(Map.of("Authorization", "Bearer sk-client"));

    assertThat(response.statusCode()).isEqualTo(200);
    RecordingTlsBackend.Seen seen = recorder.next();
    assertThat(seen.uri()).isEqualTo("/openai/deployments/my-deployment/chat/completions?api-version=2024-10-21");
    assertThat(seen.headers().get("api-key")).isEqualTo(PROVIDER_KEY);
    assertThat(seen.headers().contains("authorization")).isFalse();
    assertThat(seen.body()).contains("\"model\":\"my-deployment\"").doesNotContain("gpt-4o");
  }

  @Test
  void mockProviderAcceptsOnlyTheInjectedKey() throws Exception {
    mock = MockBackend.start(MockBackendOptions.defaults().withPort(0).withLatency(Duration.ZERO),
        new MockSecurity(backendContext(), PROVIDER_KEY));
    startGateway("""
        endpoints: ["https://localhost:%d"]
        tls: { caFile: %s }
        removeClientKey: true
        requestHeaders:
          set: { Authorization: "Bearer ${OPENAI_API_KEY}" }
        """.formatted(mock.port(), caFile()));

    HttpResponse<String> response = chat(Map.of("Authorization", "Bearer sk-client"));
    HttpResponse<String> again = chat(Map.of("Authorization", "Bearer sk-client"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("chat.completion");
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(mock.connectionsAccepted()).as("the TLS connection is pooled and reused").isEqualTo(1);
  }

  @Test
  void mockProviderRejectsTheClientsOwnKeyInOpenAisShape() throws Exception {
    mock = MockBackend.start(MockBackendOptions.defaults().withPort(0).withLatency(Duration.ZERO),
        new MockSecurity(backendContext(), PROVIDER_KEY));
    startGateway("""
        endpoints: ["https://localhost:%d"]
        tls: { caFile: %s }
        """.formatted(mock.port(), caFile()));

    HttpResponse<String> response = chat(Map.of("Authorization", "Bearer sk-client"));

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.body()).contains("\"code\":\"invalid_api_key\"");
  }

  @Test
  void healthChecksProbeOverTls() throws Exception {
    recorder = new RecordingTlsBackend(backendContext());
    startGateway("""
        endpoints: ["https://localhost:%d"]
        tls: { caFile: %s }
        healthCheck: { enabled: true, path: /health, interval: 200ms, timeout: 2s }
        """.formatted(recorder.port(), caFile()));

    RecordingTlsBackend.Seen probe = recorder.next();

    assertThat(probe.uri()).isEqualTo("/health");
    assertThat(probe.headers().get("user-agent")).isEqualTo("spillway-health-check");
  }
}
