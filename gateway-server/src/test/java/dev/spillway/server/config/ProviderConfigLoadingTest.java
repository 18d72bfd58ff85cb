package dev.spillway.server.config;

import static dev.spillway.server.config.ConfigLoaderTest.errorsOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.ClientAuth;
import dev.spillway.core.config.EndpointAddress;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.config.ProviderConfig;
import dev.spillway.core.config.ServerTlsConfig;
import dev.spillway.server.tls.Certificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code server.tls}, backend {@code tls} and the provider keys, as read from YAML. */
class ProviderConfigLoadingTest {
  @TempDir
  Path dir;

  private static final String OPENAI = """
      backends:
        openai:
          endpoints: ["https://api.openai.com"]
          removeClientKey: true
          pathPrefix: /openai
          requestHeaders:
            set:
              Authorization: "Bearer ${OPENAI_API_KEY}"
            remove: [x-debug]
      routes:
        - { name: all, match: { pathPrefix: / }, backend: openai }
      """;

  @Test
  void bindsProviderKeysWithTheVariableExpanded() {
    GatewayConfig config = ConfigLoader.parse(OPENAI, "p.yaml", Map.of("OPENAI_API_KEY", "sk-secret-1")::get);

    BackendConfig openai = config.backends().get("openai");
    assertThat(openai.endpoints()).containsExactly(new EndpointAddress("api.openai.com", 443,
        EndpointAddress.Scheme.HTTPS));
    ProviderConfig provider = openai.provider();
    assertThat(provider.setHeaders()).containsExactly(Map.entry("Authorization", "Bearer sk-secret-1"));
    assertThat(provider.removeHeaders()).containsExactly("x-debug");
    assertThat(provider.removeClientKey()).isTrue();
    assertThat(provider.pathPrefix()).isEqualTo("/openai");
    assertThat(provider.toString()).doesNotContain("sk-secret-1").contains("Authorization=(redacted)");
  }

  @Test
  void missingVariableIsAnErrorNamingKeyLineAndVariableButNotTheValue() {
    List<ConfigError> errors = errorsOf(OPENAI, "p.yaml", name -> null);

    assertThat(errors).hasSize(1);
    ConfigError error = errors.get(0);
    assertThat(error.path()).isEqualTo("backends.openai.requestHeaders.set.Authorization");
    assertThat(error.line()).isEqualTo(8);
    assertThat(error.message()).contains("OPENAI_API_KEY").doesNotContain("Bearer");
  }

  @Test
  void pathAndPathPrefixExcludeEachOther() {
    List<ConfigError> errors = errorsOf("""
        backends:
          azure:
            endpoints: ["https://x.openai.azure.com"]
            pathPrefix: /openai
            path: /openai/deployments/{model}/chat/completions?api-version=2024-10-21
        routes:
          - { name: all, match: { pathPrefix: / }, backend: azure }
        """, "p.yaml");

    assertThat(errors).extracting(ConfigError::path).containsExactly("backends.azure.pathPrefix");
    assertThat(errors.get(0).line()).isEqualTo(4);
  }

  @Test
  void bindsServerTlsAndReportsAMissingFileWithItsLine() throws Exception {
    Certificates.PemPair pair = Certificates.selfSigned("localhost").written(dir, "server");
    Certificates.writeCertificates(dir.resolve("ca.pem"), Certificates.authority("CA").certificate());
    String yaml = """
        server:
          tls:
            certificate: %s
            key: %s
            clientCa: %s
            clientAuth: require
            protocols: [TLSv1.3]
        backends:
          b: { endpoints: ["http://127.0.0.1:8000"] }
        routes:
          - { name: all, match: { pathPrefix: / }, backend: b }
        """;
    GatewayConfig config = ConfigLoader.parse(yaml.formatted(pair.certificate(), pair.key(), dir.resolve("ca.pem")),
        "t.yaml");
    ServerTlsConfig tls = config.server().tls();
    assertThat(tls.clientAuth()).isEqualTo(ClientAuth.REQUIRE);
    assertThat(tls.protocols()).containsExactly("TLSv1.3");

    List<ConfigError> errors = errorsOf(yaml.formatted(pair.certificate(), dir.resolve("absent.pem"),
        dir.resolve("ca.pem")), "t.yaml");
    assertThat(errors).extracting(ConfigError::path).containsExactly("server.tls.key");
    assertThat(errors.get(0).line()).isEqualTo(4);
  }

  @Test
  void aKeyThatDoesNotBelongToTheCertificateIsAConfigError() throws Exception {
    Certificates.PemPair one = Certificates.selfSigned("localhost").written(dir, "one");
    Certificates.PemPair two = Certificates.selfSigned("localhost").written(dir, "two");

    List<ConfigError> errors = errorsOf("""
        server:
          tls: { certificate: %s, key: %s }
        backends:
          b: { endpoints: ["http://127.0.0.1:8000"] }
        routes:
          - { name: all, match: { pathPrefix: / }, backend: b }
        """.formatted(one.certificate(), two.key()), "t.yaml");

    assertThat(errors).extracting(ConfigError::path).containsExactly("server.tls.key");
    assertThat(errors.get(0).message()).contains("two-key.pem").contains("does not belong");
  }

  @Test
  void clientAuthWithoutACaIsAnError() throws Exception {
    Certificates.PemPair pair = Certificates.selfSigned("localhost").written(dir, "server");

    List<ConfigError> errors = errorsOf("""
        server:
          tls: { certificate: %s, key: %s, clientAuth: require }
        backends:
          b: { endpoints: ["http://127.0.0.1:8000"] }
        routes:
          - { name: all, match: { pathPrefix: / }, backend: b }
        """.formatted(pair.certificate(), pair.key()), "t.yaml");

    assertThat(errors).extracting(ConfigError::path).containsExactly("server.tls.clientCa");
  }

  @Test
  void backendCaFileThatIsNotPemIsAConfigError() throws Exception {
    Files.writeString(dir.resolve("ca.pem"), "not a certificate\n");

    List<ConfigError> errors = errorsOf("""
        backends:
          b:
            endpoints: ["https://127.0.0.1:8443"]
            tls:
              caFile: %s
        routes:
          - { name: all, match: { pathPrefix: / }, backend: b }
        """.formatted(dir.resolve("ca.pem")), "t.yaml");

    assertThat(errors).extracting(ConfigError::path).containsExactly("backends.b.tls.caFile");
    assertThat(errors.get(0).line()).isEqualTo(5);
  }
}
