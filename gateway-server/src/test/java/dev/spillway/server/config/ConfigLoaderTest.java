package dev.spillway.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.EndpointAddress;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.config.PoolConfig;
import dev.spillway.core.config.RouteConfig;
import dev.spillway.core.config.RouteMatch;
import dev.spillway.core.config.ServerConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  private static final String MINIMAL = """
      backends:
        main:
          endpoints: [http://10.0.0.1:8000]
      routes:
        - name: all
          backend: main
      """;

  @Test
  void loadsTheDocumentedExample() {
    GatewayConfig config = ConfigLoader.load(exampleFile(), Map.<String, String>of()::get);

    assertThat(config.server()).isEqualTo(ServerConfig.DEFAULTS);
    assertThat(config.backends()).containsOnlyKeys("primary", "small");
    BackendConfig primary = config.backends().get("primary");
    assertThat(primary.endpoints()).containsExactly(
        new EndpointAddress("10.0.0.11", 8000), new EndpointAddress("10.0.0.12", 8000),
        new EndpointAddress("10.0.0.13", 8000));
    assertThat(primary.pool()).isEqualTo(new PoolConfig(256, Duration.ofSeconds(60)));
    assertThat(config.backends().get("small").endpoints()).containsExactly(new EndpointAddress("127.0.0.1", 8001));
    assertThat(config.routes()).extracting(RouteConfig::name).containsExactly("embeddings", "api", "internal-chat",
        "default");
    assertThat(config.routes().get(2).match()).isEqualTo(new RouteMatch("chat.internal.example.com", "/v1/"));
  }

  @Test
  void exampleTakesPortAndHostFromEnvironment() {
    Map<String, String> env = Map.of("SPILLWAY_PORT", "9090", "SMALL_MODEL_HOST", "gpu-7");

    GatewayConfig config = ConfigLoader.load(exampleFile(), env::get);

    assertThat(config.server().port()).isEqualTo(9090);
    assertThat(config.backends().get("small").endpoints()).containsExactly(new EndpointAddress("gpu-7", 8001));
  }

  @Test
  void absentKeysTakeRecordDefaults() {
    GatewayConfig config = ConfigLoader.parse(MINIMAL, "minimal.yaml", name -> null);

    assertThat(config.server()).isEqualTo(ServerConfig.DEFAULTS);
    assertThat(config.backends().get("main"))
        .isEqualTo(BackendConfig.of("main", List.of(new EndpointAddress("10.0.0.1", 8000))));
    assertThat(config.routes().get(0).match()).isEqualTo(new RouteMatch(null, "/"));
  }

  @Test
  void builtInDefaultsWrittenOutLoadToTheSameConfig() {
    String yaml = """
        backends:
          default:
            endpoints: [http://127.0.0.1:8000]
        routes:
          - name: default
            backend: default
        """;

    assertThat(ConfigLoader.parse(yaml, "defaults.yaml", name -> null)).isEqualTo(GatewayConfig.defaults());
  }

  @Test
  void everyKeyIsBound() {
    String yaml = """
        server:
          host: 127.0.0.1
          port: 0
          clientTimeout: 1m30s
          maxInitialLineLength: 4KiB
          maxHeaderSize: 32768
          maxBodySize: 1GiB
          shutdownTimeout: 0
          ioThreads: 4
          nativeTransport: false
        backends:
          b:
            endpoints: [http://h:81]
            connectTimeout: 250ms
            responseTimeout: PT2M
            idleTimeout: 5s
            requestTimeout: 0
            pool: {maxConnections: 8, idleTimeout: 1h}
        routes:
          - name: r
            match: {host: API.Example.com, pathPrefix: /v1}
            backend: b
        """;

    GatewayConfig config = ConfigLoader.parse(yaml, "all.yaml", name -> null);

    assertThat(config.server()).isEqualTo(new ServerConfig("127.0.0.1", 0, Duration.ofSeconds(90), 4096, 32768,
        1L << 30, Duration.ZERO, 4, false));
    assertThat(config.backends().get("b")).isEqualTo(new BackendConfig("b", List.of(new EndpointAddress("h", 81)),
        Duration.ofMillis(250), Duration.ofMinutes(2), Duration.ofSeconds(5), Duration.ZERO,
        new PoolConfig(8, Duration.ofHours(1))));
    assertThat(config.routes()).containsExactly(new RouteConfig("r", new RouteMatch("api.example.com", "/v1"), "b"));
  }

  @Test
  void headerHygieneKeysAreBound() {
    String yaml = """
        server:
          maxHeaderCount: 50
          exposeBackendHeader: true
          forwardedHeaders:
            trustedProxies: [10.0.0.0/8, "::1/128"]
            mode: append
        backends: {main: {endpoints: [http://h:1]}}
        routes: [{name: r, backend: main}]
        """;

    ServerConfig server = ConfigLoader.parse(yaml, "hygiene.yaml", name -> null).server();

    assertThat(server.maxHeaderCount()).isEqualTo(50);
    assertThat(server.exposeBackendHeader()).isTrue();
    assertThat(server.forwardedHeaders()).isEqualTo(new dev.spillway.core.config.ForwardedHeadersConfig(
        List.of("10.0.0.0/8", "::1/128"), dev.spillway.core.config.ForwardedHeadersConfig.Mode.APPEND));
    assertThat(ConfigLoader.parse(MINIMAL, "minimal.yaml", name -> null).server().forwardedHeaders())
        .isEqualTo(dev.spillway.core.config.ForwardedHeadersConfig.DEFAULTS);
  }

  @Test
  void headerHygieneErrorsNameTheKeyAndLine() {
    String yaml = """
        server:
          maxHeaderCount: 0
          forwardedHeaders:
            trustedProxies: [proxy.internal]
            mode: trust-all
        backends: {main: {endpoints: [http://h:1]}}
        routes: [{name: r, backend: main}]
        """;

    assertThat(errorsOf(yaml, "bad.yaml")).extracting(ConfigError::toString).containsExactlyInAnyOrder(
        "server.forwardedHeaders.trustedProxies[0]: \"proxy.internal\" is not a CIDR (expected: e.g. 10.0.0.0/8, "
            + "192.168.1.7/32, ::1/128) (line 4)",
        "server.forwardedHeaders.mode: \"trust-all\" is not a forwarding mode (expected one of: replace, append, "
            + "drop) (line 5)",
        "server.maxHeaderCount: 0 (expected: 1..10000) (line 2)");
  }

  @Test
  void readsJsonByExtensionOrLeadingBrace() {
    String json = """
        {"backends": {"main": {"endpoints": ["http://10.0.0.1:8000"]}},
         "routes": [{"name": "all", "backend": "main"}]}
        """;
    GatewayConfig expected = ConfigLoader.parse(MINIMAL, "minimal.yaml", name -> null);

    assertThat(ConfigLoader.parse(json, "spillway.json", name -> null)).isEqualTo(expected);
    assertThat(ConfigLoader.parse(json, "spillway.conf", name -> null)).isEqualTo(expected);
  }

  @Test
  void jsonSyntaxErrorIsReportedAtItsLine() {
    String json = """
        {
          "server": {"port": 8080,},
          "routes": []
        }
        """;

    List<ConfigError> errors = errorsOf(json, "spillway.json");

    assertThat(errors).hasSize(1);
    assertThat(errors.get(0).line()).isEqualTo(2);
    assertThat(errors.get(0).path()).isEmpty();
    assertThat(errors.get(0).message()).startsWith("JSON syntax error: Unexpected character ('}'");
  }

  @Test
  void yamlSyntaxErrorIsReportedAtItsLine() {
    String yaml = """
        server:
          port: 8080
         host: oops
        routes: []
        """;

    List<ConfigError> errors = errorsOf(yaml, "spillway.yaml");

    assertThat(errors).hasSize(1);
    assertThat(errors.get(0).line()).isEqualTo(3);
    assertThat(errors.get(0).format()).isEqualTo("YAML syntax error: expected <block end>, but found "
        + "'<block mapping start>' (while parsing a block mapping started at line 1; check the indentation) (line 3)");
  }

  @Test
  void unclosedYamlFlowListIsASyntaxError() {
    List<ConfigError> errors = errorsOf("backends:\n  a:\n    endpoints: [http://h:1\nroutes: []\n", "x.yaml");

    assertThat(errors).singleElement().satisfies(e -> assertThat(e.message()).startsWith("YAML syntax error: "));
  }

  @Test
  void validateReturnsNoErrorsForAValidFile(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("ok.yaml"), MINIMAL);

    assertThat(ConfigLoader.validate(file, name -> null)).isEmpty();
  }

  @Test
  void validateReportsAMissingFile(@TempDir Path dir) {
    Path file = dir.resolve("absent.yaml");

    assertThat(ConfigLoader.validate(file, name -> null))
        .extracting(ConfigError::format)
        .containsExactly("cannot read " + file + ": no such file");
  }

  @Test
  void validateReportsAFileThatIsNotUtf8(@TempDir Path dir) throws IOException {
    Path file = Files.write(dir.resolve("latin1.yaml"), "routes: [caf\u00e9]".getBytes(StandardCharsets.ISO_8859_1));

    assertThat(ConfigLoader.validate(file, name -> null))
        .extracting(ConfigError::format)
        .containsExactly("cannot read " + file + ": not UTF-8 text");
  }

  @Test
  void loadExceptionListsEveryErrorOnItsOwnLine() {
    String yaml = """
        server:
          port: abc
          ioThreads: many
        backends: {main: {endpoints: [http://h:1]}}
        routes: [{name: r, backend: main}]
        """;

    ConfigLoadException e = catchThrowableOfType(ConfigLoadException.class,
        () -> ConfigLoader.parse(yaml, "spillway.yaml", name -> null));

    assertThat(e.sourceName()).isEqualTo("spillway.yaml");
    assertThat(e).hasMessage("""
        invalid config spillway.yaml (2 errors):
          server.port: "abc" is not an integer (line 2)
          server.ioThreads: "many" is not an integer (line 3)""");
  }

  @Test
  void errorWithoutPathOrLineFormatsAsTheMessageAlone() {
    assertThat(new ConfigError("", 0, "empty config")).hasToString("empty config");
    assertThat(new ConfigError("a.b", 0, "bad")).hasToString("a.b: bad");
    assertThat(new ConfigError("a.b", 7, "bad")).hasToString("a.b: bad (line 7)");
  }

  static List<ConfigError> errorsOf(String text, String sourceName) {
    return errorsOf(text, sourceName, name -> null);
  }

  static List<ConfigError> errorsOf(String text, String sourceName, Function<String, String> env) {
    ConfigLoadException e = catchThrowableOfType(ConfigLoadException.class,
        () -> ConfigLoader.parse(text, sourceName, env));
    assertThat(e).as("expected a ConfigLoadException").isNotNull();
    return e.errors();
  }

  /** The example shipped in docs/, found from the module directory or the repository root. */
  static Path exampleFile() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("docs/examples/spillway.yaml");
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new AssertionError("docs/examples/spillway.yaml not found above " + Path.of("").toAbsolutePath());
  }
}
