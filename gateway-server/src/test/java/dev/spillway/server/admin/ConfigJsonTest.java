package dev.spillway.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spillway.core.config.ApiKeys;
import dev.spillway.server.config.AdminConfig;
import dev.spillway.server.config.ConfigLoader;
import dev.spillway.server.config.LoadedConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code /config}: the whole effective config, with no secret in it. */
class ConfigJsonTest {

  @Test
  void rendersTheExampleConfigWithoutSecrets() throws Exception {
    Path example = Path.of("..", "docs", "examples", "spillway.yaml");
    String text = Files.readString(example) + """
        admin: { token: "admin-s3cret" }
        alerts: { webhooks: ["https://hooks.example.com/services/T000/B000/XXXX"] }
        """;
    LoadedConfig config = ConfigLoader.parseFile(text, "spillway.yaml", Map.<String, String>of()::get);

    String json = new String(ConfigJson.render(config), StandardCharsets.UTF_8);

    assertThat(json).doesNotContain("admin-s3cret").doesNotContain("T000/B000")
        .doesNotContain(ApiKeys.sha256Hex("sk-acme-demo")).doesNotContain("keyHashes");
    JsonNode tree = new ObjectMapper().readTree(json);
    assertThat(tree.at("/admin/tokenSet").asBoolean()).isTrue();
    assertThat(tree.at("/gateway/tenants/0/keyCount").asInt()).isEqualTo(1);
    assertThat(tree.at("/gateway/backends/primary/responseTimeout").asText()).isNotEmpty();
    assertThat(tree.at("/alerts/webhooks/0").asText()).isEqualTo("https://hooks.example.com/(redacted)");
    assertThat(new ObjectMapper().readTree(ConfigJson.render(LoadedConfig.of(config.gateway())
        .withAdmin(AdminConfig.DEFAULTS))).at("/admin/tokenSet").asBoolean()).isFalse();
  }

  @Test
  void redisPasswordIsNeverShown() throws Exception {
    String text = """
        backends:
          b: { endpoints: ["http://127.0.0.1:8000"] }
        routes:
          - { name: all, match: { pathPrefix: / }, backend: b }
        limiterStore:
          type: redis
          uri: redis://user:uri-s3cret@redis.internal:6379
          password: ${REDIS_PASSWORD}
          expectedInstances: 3
        """;
    LoadedConfig config = ConfigLoader.parseFile(text, "r.yaml", Map.of("REDIS_PASSWORD", "env-s3cret")::get);

    String json = new String(ConfigJson.render(config), StandardCharsets.UTF_8);

    assertThat(json).doesNotContain("env-s3cret").doesNotContain("uri-s3cret");
    JsonNode store = new ObjectMapper().readTree(json).at("/gateway/limiterStore");
    assertThat(store.at("/passwordSet").asBoolean()).isTrue();
    assertThat(store.at("/uri").asText()).isEqualTo("redis://(redacted)@redis.internal:6379");
    assertThat(store.at("/expectedInstances").asInt()).isEqualTo(3);
  }

  @Test
  void providerHeaderValuesAreMasked() throws Exception {
    String text = """
        backends:
          openai:
            endpoints: ["https://api.openai.com"]
            requestHeaders:
              set: { Authorization: "Bearer ${OPENAI_API_KEY}", api-key: literal-key-2 }
        routes:
          - { name: all, match: { pathPrefix: / }, backend: openai }
        """;
    LoadedConfig config = ConfigLoader.parseFile(text, "p.yaml", Map.of("OPENAI_API_KEY", "sk-secret-1")::get);

    String json = new String(ConfigJson.render(config), StandardCharsets.UTF_8);

    assertThat(json).doesNotContain("sk-secret-1").doesNotContain("literal-key-2");
    JsonNode provider = new ObjectMapper().readTree(json).at("/gateway/backends/openai/provider");
    assertThat(provider.at("/setHeaders/Authorization").asText()).isEqualTo("(redacted)");
    assertThat(provider.at("/setHeaders/api-key").asText()).isEqualTo("(redacted)");
  }
}
