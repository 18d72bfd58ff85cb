package dev.spillway.server.tls;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spillway.core.Gateway;
import dev.spillway.core.tls.TlsProvider;
import dev.spillway.server.config.ConfigLoader;
import dev.spillway.server.mock.MockBackend;
import dev.spillway.server.mock.MockBackendOptions;
import dev.spillway.server.mock.MockSecurity;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official OpenAI Node SDK (npm {@code openai}) over HTTPS to the gateway, which forwards over HTTPS with
 * an injected key to a mock provider that accepts no other key: a plain and a streamed chat completion, and a
 * provider's 429 that the SDK retries after its {@code Retry-After}, then reports as its RateLimitError.
 * Skipped, with a message on stderr, where node or npm is missing or the package cannot be installed.
 */
class OpenAiNodeSdkIT {
  static final String SDK_VERSION = "7.55.0";
  static final String PROVIDER_KEY = "sk-provider-node-it";
  /** Installed once per build directory, reused by later runs. */
  static final Path SDK_DIR = Path.of("target", "node-openai-" + SDK_VERSION).toAbsolutePath();

  @TempDir
  Path dir;

  @BeforeAll
  static void installSdk() throws Exception {
    skipUnless(run(List.of("node", "--version"), Path.of("."), Map.of(), 30) == 0, "node not found");
    skipUnless(run(List.of("npm", "--version"), Path.of("."), Map.of(), 30) == 0, "npm not found");
    if (!Files.isDirectory(SDK_DIR.resolve("node_modules/openai"))) {
      Files.createDirectories(SDK_DIR);
      int installed = run(List.of("npm", "install", "--no-audit", "--no-fund", "--silent", "--prefix",
          SDK_DIR.toString(), "openai@" + SDK_VERSION), SDK_DIR, Map.of(), 300);
      skipUnless(installed == 0, "npm install openai@" + SDK_VERSION + " failed (offline?)");
    }
  }

  private static void skipUnless(boolean ok, String why) {
    if (!ok) {
      System.err.println("SKIPPED OpenAiNodeSdkIT: " + why);
      Assumptions.abort(why);
    }
  }

  private static int run(List<String> command, Path cwd, Map<String, String> env, int timeoutSeconds)
      throws InterruptedException {
    try {
      ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD);
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return -1;
      }
      return p.exitValue();
    } catch (IOException e) {
      return -1;
    }
  }

  @Test
  void sdkChatPlainAndStreamedThroughTlsWithAnInjectedKey() throws Exception {
    Pki pki = new Pki(dir);
    MockSecurity provider = new MockSecurity(pki.providerContext(), PROVIDER_KEY);
    try (MockBackend mock = MockBackend.start(MockBackendOptions.defaults().withPort(0)
        .withLatency(Duration.ofMillis(20)), provider)) {
      try (Gateway gateway = pki.gatewayTo(mock.port())) {
        JsonNode result = runScript("openai-sdk-chat.cjs", gateway.port(), pki.caFile);

        assertThat(result.get("plainObject").asText()).isEqualTo("chat.completion");
        assertThat(result.get("plainContent").asText()).isNotEmpty();
        assertThat(result.get("plainCompletionTokens").asInt()).isEqualTo(5);
        assertThat(result.get("streamChunks").asInt()).isGreaterThanOrEqualTo(5);
        assertThat(result.get("streamText").asText()).isNotEmpty();
        assertThat(result.get("streamCompletionTokens").asInt()).isEqualTo(5);
      }
    }
  }

  @Test
  void sdkRetriesAProvidersRateLimitThroughTlsAfterItsRetryAfterAndGivesUpWithItsRateLimitError()
      throws Exception {
    Pki pki = new Pki(dir);
    try (RecordingTlsBackend provider = new RecordingTlsBackend(pki.providerContext(), PROVIDER_KEY)) {
      try (Gateway gateway = pki.gatewayTo(provider.port())) {
        JsonNode result = runScript("openai-sdk-retry.cjs", gateway.port(), pki.caFile);
        List<RecordingTlsBackend.Seen> seen = new java.util.ArrayList<>(provider.seen);
        System.out.printf("SDK retry through TLS: %s; provider saw %s%n", result,
            seen.stream().map(x -> x.status() + "@" + x.headers().get("x-stainless-retry-count")).toList());

        assertThat(result.get("okContent").asText()).isEqualTo("hi");
        assertThat(result.get("errorIsRateLimit").asBoolean()).as("%s", result).isTrue();
        assertThat(result.get("errorStatus").asInt()).isEqualTo(429);
        assertThat(result.get("errorRetryAfter").asText()).isEqualTo("1");
        assertThat(result.get("errorRemaining").asText()).isEqualTo("0");
        List<RecordingTlsBackend.Seen> once = seen.stream().filter(x -> x.body().contains("#reject=1")).toList();
        List<RecordingTlsBackend.Seen> always = seen.stream().filter(x -> x.body().contains("#reject=9")).toList();
        // Every attempt of the SDK reached the provider, with the provider's key only.
        assertThat(once).extracting(RecordingTlsBackend.Seen::status).containsExactly(429, 200);
        assertThat(always).extracting(RecordingTlsBackend.Seen::status).containsExactly(429, 429, 429);
        assertThat(once).extracting(x -> x.headers().get("x-stainless-retry-count")).containsExactly("0", "1");
        assertThat(always).extracting(x -> x.headers().get("x-stainless-retry-count"))
            .containsExactly("0", "1", "2");
        assertThat(seen).allSatisfy(x -> assertThat(x.headers().getAll("authorization"))
            .containsExactly("Bearer " + PROVIDER_KEY));
        // The SDK waited what Retry-After asked (1 s) before each retry, not its own backoff (0.5 s, then 1 s).
        for (List<RecordingTlsBackend.Seen> attempts : List.of(once, always)) {
          for (int i = 1; i < attempts.size(); i++) {
            long gapMs = TimeUnit.NANOSECONDS.toMillis(attempts.get(i).nanos() - attempts.get(i - 1).nanos());
            assertThat(gapMs).as("wait before retry %d", i).isBetween(950L, 2500L);
          }
        }
        assertThat(result.get("okMs").asLong()).isBetween(950L, 8000L);
        assertThat(result.get("errorMs").asLong()).isBetween(1900L, 8000L);
      }
    }
  }

  /**
   * A CA, the gateway's certificate and the provider's, all for 127.0.0.1; the gateway terminates TLS and
   * forwards over TLS to the provider with the provider's key in place of the client's.
   */
  private static final class Pki {
    final Path caFile;
    final Certificates.PemPair gatewayCert;
    final Certificates.Issued providerCert;

    Pki(Path dir) throws Exception {
      Certificates.Issued ca = Certificates.authority("Node IT CA");
      caFile = dir.resolve("ca.pem");
      Certificates.writeCertificates(caFile, ca.certificate());
      gatewayCert = Certificates.signed(ca, "localhost", "127.0.0.1").written(dir, "gateway");
      providerCert = Certificates.signed(ca, "localhost", "127.0.0.1");
    }

    SslContext providerContext() throws Exception {
      return SslContextBuilder.forServer(providerCert.key(), providerCert.certificate())
          .sslProvider(TlsProvider.get()).build();
    }

    Gateway gatewayTo(int providerPort) throws InterruptedException {
      String yaml = """
          server:
            host: 127.0.0.1
            port: 0
            tls: { certificate: %s, key: %s }
          backends:
            provider:
              endpoints: ["https://127.0.0.1:%d"]
              tls: { caFile: %s }
              removeClientKey: true
              requestHeaders:
                set: { Authorization: "Bearer ${PROVIDER_KEY}" }
          routes:
            - { name: all, match: { pathPrefix: / }, backend: provider }
          """.formatted(gatewayCert.certificate(), gatewayCert.key(), providerPort, caFile);
      return Gateway.start(ConfigLoader.parse(yaml, "node.yaml", Map.of("PROVIDER_KEY", PROVIDER_KEY)::get));
    }
  }

  private JsonNode runScript(String name, int port, Path caFile) throws Exception {
    Path script = SDK_DIR.resolve(name);
    try (InputStream in = OpenAiNodeSdkIT.class.getResourceAsStream("/node/" + name)) {
      Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
    }
    ProcessBuilder pb = new ProcessBuilder("node", script.toString()).directory(SDK_DIR.toFile())
        .redirectErrorStream(true);
    pb.environment().put("BASE_URL", "https://127.0.0.1:" + port + "/v1");
    pb.environment().put("NODE_EXTRA_CA_CERTS", caFile.toString());
    Process p = pb.start();
    boolean finished = p.waitFor(60, TimeUnit.SECONDS);
    if (!finished) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(finished).as("the SDK script finished").isTrue();
    assertThat(p.exitValue()).as("SDK script output: %s", output).isZero();
    String lastLine = output.substring(output.lastIndexOf('\n') + 1);
    return new ObjectMapper().readTree(lastLine);
  }
}
