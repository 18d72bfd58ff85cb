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
  void theExampleConfigComesBackAsAFileValidateAcceptsWithoutItsSecrets() throws Exception {
    Path example = Path.of("..", "docs", "examples", "spillway.yaml");
    String text = Files.readString(example) + """
        admin: { token: "admin-s3cret" }
        alerts: { webhooks: ["https://hooks.example.com/services/T000/B000/XXXX"] }
        """;
    LoadedConfig config = ConfigLoader.parseFile(text, "spillway.yaml", Map.<String, String>of()::get);

    String json = new String(ConfigJson.render(config), StandardCharsets.UTF_8);

    assertThat(json).doesNotContain("admin-s3cret").doesNotContain("T000/B000").doesNotContain("sk-acme-demo");
    JsonNode tree = new ObjectMapper().readTree(json);
    assertThat(tree.at("/admin/token").asText()).isEqualTo("<redacted>");
    assertThat(tree.at("/alerts/webhooks/0").asText()).isEqualTo("https://hooks.example.com/redacted");
    LoadedConfig back = ConfigLoader.parseFile(json, "config.json", Map.<String, String>of()::get);
    assertThat(back.gateway().routes()).isEqualTo(config.gateway().routes());
    assertThat(back.gateway().backends()).isEqualTo(config.gateway().backends());
    assertThat(back.gateway().tenants()).hasSameSizeAs(config.gateway().tenants());
    assertThat(back.status()).isEqualTo(config.status());
    assertThat(new ObjectMapper().readTree(ConfigJson.render(LoadedConfig.of(config.gateway())
        .withAdmin(AdminConfig.DEFAULTS))).at("/admin/tokenSet").asBoolean()).isFalse();
  }

  @Test
  void withSecretsFromTheEnvironmentTheOutputLoadsIntoAnEqualConfig() throws Exception {
    Path example = Path.of("..", "docs", "examples", "spillway.yaml");
    String text = Files.readString(example).replace("${ACME_KEY:sk-acme-demo}", "${ACME_KEY}") + """
        admin: { token: "${ADMIN_TOKEN}" }
        alerts: { webhooks: ["${HOOK_URL}"] }
        """;
    Map<String, String> env = Map.of("ACME_KEY", "sk-acme-from-env", "ADMIN_TOKEN", "t0ken",
        "HOOK_URL", "https://hooks.example.com/services/T000");
    LoadedConfig config = ConfigLoader.parseFile(text, "spillway.yaml", env::get);

    String json = new String(ConfigJson.render(config), StandardCharsets.UTF_8);
    LoadedConfig back = ConfigLoader.parseFile(json, "config.json", env::get);

    assertThat(json).contains("${ACME_KEY}").contains("${ADMIN_TOKEN}").doesNotContain("sk-acme-from-env");
    assertThat(back.withSource(null)).isEqualTo(config.withSource(null));
    assertThat(ConfigJson.render(back)).isEqualTo(json.getBytes(StandardCharsets.UTF_8));
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
    JsonNode store = new ObjectMapper().readTree(json).at("/limiterStore");
    assertThat(store.at("/password").asText()).isEqualTo("${REDIS_PASSWORD}");
    assertThat(store.at("/uri").asText()).isEqualTo("redis://user:redacted@redis.internal:6379");
    assertThat(store.at("/expectedInstances").asInt()).isEqualTo(3);
    // What /config shows still passes validation.
    assertThat(ConfigLoader.parseFile(json, "config.json", Map.of("REDIS_PASSWORD", "x")::get).gateway()
        .limiterStore().expectedInstances()).isEqualTo(3);
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
    JsonNode set = new ObjectMapper().readTree(json).at("/backends/openai/requestHeaders/set");
    assertThat(set.at("/Authorization").asText()).isEqualTo("Bearer ${OPENAI_API_KEY}");
    assertThat(set.at("/api-key").asText()).isEqualTo("<redacted>");
    assertThat(ConfigLoader.parseFile(json, "config.json", Map.of("OPENAI_API_KEY", "sk-secret-1")::get)
        .gateway().backends()).isEqualTo(ConfigLoader.parseFile(text.replace("literal-key-2", "<redacted>"),
        "p.yaml", Map.of("OPENAI_API_KEY", "sk-secret-1")::get).gateway().backends());
  }
}
