package dev.spillway.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spillway.core.Gateway;
import dev.spillway.core.config.AdmissionConfig;
import dev.spillway.core.config.ApiKeys;
import dev.spillway.core.config.BandwidthConfig;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.config.IdentityConfig;
import dev.spillway.core.config.LimitConfig;
import dev.spillway.core.config.LimitUnit;
import dev.spillway.core.config.LimiterCacheConfig;
import dev.spillway.core.config.PriorityClass;
import dev.spillway.core.config.RejectionConfig;
import dev.spillway.core.config.RouteConfig;
import dev.spillway.core.config.RouteMatch;
import dev.spillway.core.config.TenantConfig;
import dev.spillway.core.config.TierConfig;
import dev.spillway.core.config.TokenEstimationConfig;
import dev.spillway.server.mock.MockBackend;
import dev.spillway.server.mock.MockBackendOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official OpenAI ({@code openai}) and Anthropic ({@code @anthropic-ai/sdk}) Node SDKs through the gateway
 * to the mock backend: chat and Responses-API streams, an Anthropic message stream, each SDK's rate-limit error
 * class on a 429, and their retry after {@code Retry-After}. Needs {@code node} and {@code npm} on the PATH;
 * the SDKs are installed into {@code target/sdk-it} on first run. Without them the test is skipped, and says
 * so on stderr.
 */
class OfficialSdkIT {
  private static final String OPENAI_VERSION = "6.49.0";
  private static final String ANTHROPIC_VERSION = "1.16.0";
  private static final Path DIR = Path.of("target", "sdk-it");
  private static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void needsNodeAndTheSdks() throws Exception {
    skipLoudlyUnless(run(Duration.ofSeconds(20), "node", "--version") == 0, "node is not on the PATH");
    boolean installed = Files.isDirectory(DIR.resolve("node_modules/openai"))
        && Files.isDirectory(DIR.resolve("node_modules/@anthropic-ai/sdk"));
    if (!installed) {
      Files.createDirectories(DIR);
      int rc = run(Duration.ofMinutes(3), "npm", "install", "--no-audit", "--no-fund", "--prefix",
          DIR.toString(), "openai@" + OPENAI_VERSION, "@anthropic-ai/sdk@" + ANTHROPIC_VERSION);
      skipLoudlyUnless(rc == 0, "npm install of the SDKs failed (rc " + rc + ")");
    }
    try (InputStream script = OfficialSdkIT.class.getResourceAsStream("/sdk-it/check.mjs")) {
      Files.write(DIR.resolve("check.mjs"), script.readAllBytes());
    }
  }

  private static void skipLoudlyUnless(boolean condition, String why) {
    if (!condition) {
      System.err.println("OfficialSdkIT SKIPPED: " + why);
    }
    Assumptions.assumeTrue(condition, "OfficialSdkIT skipped: " + why);
  }

  private static int run(Duration timeout, String... command) throws InterruptedException {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        return -1;
      }
      return p.exitValue();
    } catch (IOException e) {
      return -1;
    }
  }

  private static GatewayConfig config(int mockPort) {
    LimitConfig onePer2s = new LimitConfig("rpm", LimitUnit.REQUESTS,
        List.of(new BandwidthConfig(1, Duration.ofSeconds(5))), true);
    TierConfig pro = new TierConfig("pro", PriorityClass.STANDARD, List.of());
    TierConfig free = new TierConfig("free", PriorityClass.STANDARD, List.of(onePer2s));
    AdmissionConfig admission = new AdmissionConfig(IdentityConfig.DEFAULTS, true, "free", List.of(),
        TokenEstimationConfig.DEFAULTS, RejectionConfig.DEFAULTS);
    return new GatewayConfig(ProxyFixture.server(),
        Map.of("b", ProxyFixture.backend(List.of(mockPort), Duration.ofSeconds(10))),
        List.of(new RouteConfig("llm", new RouteMatch(null, "/"), "b", admission)),
        Map.of("pro", pro, "free", free),
        List.of(new TenantConfig("pro", "pro", List.of(ApiKeys.sha256Hex("sk-pro"))),
            new TenantConfig("free", "free", List.of(ApiKeys.sha256Hex("sk-free")))),
        LimiterCacheConfig.DEFAULTS);
  }

  @Test
  void officialSdksStreamThroughTheGatewayAndReadItsRateLimits() throws Exception {
    try (MockBackend mock = MockBackend.start(MockBackendOptions.defaults().withLatency(Duration.ofMillis(20))
        .withTokensPerSecond(200))) {
      Gateway gateway = Gateway.start(config(mock.port()));
      try {
        Process node = new ProcessBuilder("node", "check.mjs", "http://127.0.0.1:" + gateway.port())
            .directory(DIR.toFile()).redirectErrorStream(true).start();
        boolean done = node.waitFor(60, TimeUnit.SECONDS);
        if (!done) {
          node.destroyForcibly();
        }
        String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        System.out.println("OfficialSdkIT results: " + output);
        assertThat(done).as("node finished in time: %s", output).isTrue();
        assertThat(node.exitValue()).as(output).isZero();
        JsonNode r = JSON.readTree(output.substring(output.lastIndexOf("\n{") + 1));

        assertThat(r.path("chat").asText().split(" ")).hasSize(5);
        assertThat(r.path("responses").asText().split(" ")).hasSize(4);
        assertThat(r.at("/responsesUsage/output_tokens").asInt()).isEqualTo(4);
        assertThat(r.path("anthropic").asText().split(" ")).hasSize(3);
        assertThat(r.at("/anthropicUsage/output_tokens").asInt()).isEqualTo(3);

        assertThat(r.at("/openai429/name").asText()).isEqualTo("RateLimitError");
        assertThat(r.at("/openai429/status").asInt()).isEqualTo(429);
        assertThat(r.at("/openai429/rateLimitError").asBoolean()).isTrue();
        assertThat(r.at("/openai429/code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(r.at("/anthropic429/name").asText()).isEqualTo("RateLimitError");
        assertThat(r.at("/anthropic429/rateLimitError").asBoolean()).isTrue();
        assertThat(r.at("/anthropic429/type").asText()).isEqualTo("rate_limit_error");
        assertThat(r.at("/anthropic429/reset").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");

        // Each retried after the gateway's Retry-After (up to 5 s for the bucket to refill) and succeeded.
        assertThat(r.at("/openaiRetry/ok").asBoolean()).isTrue();
        assertThat(r.at("/openaiRetry/millis").asLong()).isGreaterThan(500);
        assertThat(r.at("/anthropicRetry/ok").asBoolean()).isTrue();
        assertThat(r.at("/anthropicRetry/millis").asLong()).isGreaterThan(500);
      } finally {
        gateway.close();
      }
    }
  }
}
