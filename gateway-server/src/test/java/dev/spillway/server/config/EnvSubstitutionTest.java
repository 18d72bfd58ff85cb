package dev.spillway.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.spillway.core.config.EndpointAddress;
import dev.spillway.core.config.GatewayConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvSubstitutionTest {
  private final Map<String, String> env = new HashMap<>();
  private final EnvSubstitution substitution = new EnvSubstitution(env::get);

  @Test
  void replacesVariablesInsideAString() {
    env.put("HOST", "gpu-1");
    env.put("PORT", "8001");

    assertThat(substitution.apply("http://${HOST}:${PORT}/")).isEqualTo("http://gpu-1:8001/");
  }

  @Test
  void usesTheDefaultOnlyWhenTheVariableIsUnset() {
    assertThat(substitution.apply("http://${HOST:127.0.0.1}:8000")).isEqualTo("http://127.0.0.1:8000");

    env.put("HOST", "gpu-1");
    assertThat(substitution.apply("http://${HOST:127.0.0.1}:8000")).isEqualTo("http://gpu-1:8000");
  }

  @Test
  void emptyVariableCountsAsSetAndDefaultMayBeEmpty() {
    env.put("EMPTY", "");

    assertThat(substitution.apply("[${EMPTY:x}]")).isEqualTo("[]");
    assertThat(substitution.apply("[${UNSET:}]")).isEqualTo("[]");
  }

  @Test
  void defaultKeepsEverythingAfterTheFirstColon() {
    assertThat(substitution.apply("${URL:http://h:80}")).isEqualTo("http://h:80");
  }

  @Test
  void doubleDollarEscapesALiteralReference() {
    env.put("HOST", "gpu-1");

    assertThat(substitution.apply("$${HOST} is ${HOST}")).isEqualTo("${HOST} is gpu-1");
    assertThat(substitution.apply("costs $5")).isEqualTo("costs $5");
  }

  @Test
  void substitutedTextIsNotScannedAgain() {
    env.put("A", "${B}");
    env.put("B", "leaked");

    assertThat(substitution.apply("${A}")).isEqualTo("${B}");
  }

  @Test
  void unsetVariableWithoutDefaultIsAnError() {
    assertThatIllegalArgumentException().isThrownBy(() -> substitution.apply("${MISSING}"))
        .withMessage("environment variable MISSING is not set (expected: set it, or give a default: "
            + "${MISSING:default})");
  }

  @Test
  void malformedReferencesAreErrors() {
    assertThatIllegalArgumentException().isThrownBy(() -> substitution.apply("http://${HOST"))
        .withMessageContaining("has an unclosed ${");
    assertThatIllegalArgumentException().isThrownBy(() -> substitution.apply("${BAD-NAME}"))
        .withMessageContaining("\"${BAD-NAME}\" is not a valid variable reference");
    assertThatIllegalArgumentException().isThrownBy(() -> substitution.apply("${}"))
        .withMessageContaining("is not a valid variable reference");
  }

  @Test
  void loaderSubstitutesBeforeConverting() {
    env.put("PORT", "9000");
    env.put("NATIVE", "false");
    String yaml = """
        server:
          port: ${PORT}
          clientTimeout: ${CLIENT_TIMEOUT:45s}
          nativeTransport: ${NATIVE}
        backends:
          main:
            endpoints: ["http://${BACKEND_HOST:127.0.0.1}:8000"]
        routes:
          - name: all
            backend: main
            match: {pathPrefix: "/$${literal}"}
        """;

    GatewayConfig config = ConfigLoader.parse(yaml, "env.yaml", env::get);

    assertThat(config.server().port()).isEqualTo(9000);
    assertThat(config.server().clientTimeout()).hasSeconds(45);
    assertThat(config.server().nativeTransport()).isFalse();
    assertThat(config.backends().get("main").endpoints()).containsExactly(new EndpointAddress("127.0.0.1", 8000));
    assertThat(config.routes().get(0).match().pathPrefix()).isEqualTo("/${literal}");
  }

  @Test
  void loaderReportsUnsetVariableWithKeyPathAndLine() {
    String yaml = """
        backends:
          main:
            endpoints:
              - http://127.0.0.1:8000
              - http://${SECOND_HOST}:8000
        routes:
          - name: all
            backend: main
        """;

    List<ConfigError> errors = ConfigLoaderTest.errorsOf(yaml, "env.yaml");

    assertThat(errors).extracting(ConfigError::format).containsExactly(
        "backends.main.endpoints[1]: environment variable SECOND_HOST is not set (expected: set it, or give a "
            + "default: ${SECOND_HOST:default}) (line 5)");
  }

  @Test
  void substitutedValueIsStillValidated() {
    env.put("PORT", "eighty");

    assertThat(ConfigLoaderTest.errorsOf("server: {port: '${PORT}'}\n", "env.yaml", env::get))
        .extracting(ConfigError::format)
        .containsExactly("server.port: \"eighty\" is not an integer (line 1)",
            "routes: [] (expected: at least one route)");
  }

  @Test
  void secretSubstitutionNeverQuotesTheValue() {
    env.put("KEY", "sk-live");

    assertThat(substitution.applySecret("${KEY}")).isEqualTo("sk-live");
    assertThat(substitution.applySecret("${NOPE:sk-fallback}")).isEqualTo("sk-fallback");
    assertThatIllegalArgumentException().isThrownBy(() -> substitution.applySecret("sk-raw${"))
        .withMessageNotContaining("sk-raw");
    assertThatIllegalArgumentException().isThrownBy(() -> substitution.applySecret("${BAD NAME:sk-raw}"))
        .withMessageNotContaining("sk-raw");
    assertThatIllegalArgumentException().isThrownBy(() -> substitution.applySecret("${UNSET_KEY}"))
        .withMessageContaining("UNSET_KEY is not set");
  }
}
