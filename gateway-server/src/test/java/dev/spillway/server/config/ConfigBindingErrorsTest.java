package dev.spillway.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Each kind of binding error names the full key path and the source line. */
class ConfigBindingErrorsTest {
  private static final String VALID_TAIL = """
      backends:
        primary:
          endpoints: [http://10.0.0.1:8000]
      routes:
        - name: all
          backend: primary
      """;

  @Test
  void undefinedBackendNamesTheRouteAndTheDefinedBackends() {
    String yaml = """
        server:
          port: 8080
        backends:
          primary:
            endpoints:
              - http://10.0.0.1:8000
        routes:
          - name: chat
            match:
              pathPrefix: /v1/chat
            backend: primry
        """;

    assertThat(errors(yaml)).containsExactly(
        "routes[0].backend: \"primry\" is not a defined backend (defined: primary) (line 11)");
  }

  @Test
  void unknownKeyListsTheAllowedKeys() {
    String yaml = """
        server:
          host: 0.0.0.0
          prot: 8080
        """ + VALID_TAIL;

    assertThat(errors(yaml)).containsExactly("server.prot: unknown key (expected one of: host, port, clientTimeout, "
        + "maxInitialLineLength, maxHeaderSize, maxBodySize, shutdownTimeout, shutdownDelay, ioThreads, nativeTransport, "
        + "maxHeaderCount, forwardedHeaders, exposeBackendHeader, tls, overload, http2, warmUpRequests) (line 3)");
  }

  @Test
  void unknownKeysAreReportedAtEveryLevel() {
    String yaml = """
        sever: {}
        backends:
          primary:
            endpoints: [http://10.0.0.1:8000]
            pool: {maxConns: 1}
        routes:
          - name: all
            backend: primary
            match: {path: /}
        """;

    assertThat(errors(yaml)).containsExactly(
        "sever: unknown key (expected one of: server, backends, routes, tiers, tenants, keysFile, limiterCache, limiterStore, admin, status, alerts, accessLog) "
            + "(line 1)",
        "backends.primary.pool.maxConns: unknown key (expected one of: maxConnections, idleTimeout) (line 5)",
        "routes[0].match.path: unknown key (expected one of: host, pathPrefix) (line 9)");
  }

  @Test
  void nonIntegerPortIsAnError() {
    assertThat(errors("server:\n  host: 0.0.0.0\n  port: abc\n" + VALID_TAIL))
        .containsExactly("server.port: \"abc\" is not an integer (line 3)");
  }

  @Test
  void nonBooleanIsAnError() {
    assertThat(errors("server:\n  nativeTransport: sometimes\n" + VALID_TAIL))
        .containsExactly("server.nativeTransport: \"sometimes\" is not a boolean (expected: true or false) (line 2)");
  }

  @Test
  void mapWhereAListIsExpectedIsAnError() {
    String yaml = """
        backends:
          primary:
            endpoints:
              url: http://10.0.0.1:8000
        routes:
          - name: all
            backend: primary
        """;

    assertThat(errors(yaml)).containsExactly("backends.primary.endpoints: a map is not a list (line 3)");
  }

  @Test
  void listWhereAMapIsExpectedIsAnError() {
    assertThat(errors("server: [8080]\n" + VALID_TAIL)).containsExactly("server: a list is not a map (line 1)");
  }

  @Test
  void routesThatAreNotMapsAreErrors() {
    assertThat(errors("backends: {primary: {endpoints: [http://h:1]}}\nroutes:\n  - all\n")).containsExactly(
        "routes[0]: a string is not a map (expected: name, match, backend) (line 3)");
  }

  @Test
  void bareDurationNumberAsksForAUnit() {
    assertThat(errors("server:\n  clientTimeout: 30\n" + VALID_TAIL)).containsExactly(
        "server.clientTimeout: \"30\" has no unit (expected: e.g. 30s or 30ms; a bare number is ambiguous) (line 2)");
  }

  @Test
  void zeroDurationNeedsNoUnit() {
    String yaml = VALID_TAIL.replace("endpoints: [http://10.0.0.1:8000]",
        "endpoints: [http://10.0.0.1:8000]\n    requestTimeout: 0");

    assertThat(ConfigLoader.parse(yaml, "x.yaml", name -> null).backends().get("primary").requestTimeout())
        .isZero();
  }

  @Test
  void malformedDurationNamesTheAcceptedForms() {
    assertThat(errors("server:\n  shutdownTimeout: soon\n" + VALID_TAIL)).containsExactly(
        "server.shutdownTimeout: \"soon\" is not a duration (expected: e.g. 250ms, 30s, 5m, 1h, 1m30s or ISO-8601 "
            + "PT30S) (line 2)");
  }

  @Test
  void malformedSizeNamesTheAcceptedForms() {
    assertThat(errors("server:\n  maxBodySize: lots\n" + VALID_TAIL)).containsExactly(
        "server.maxBodySize: \"lots\" is not a size (expected: e.g. 512B, 16KiB, 10MiB, 1GiB) (line 2)");
  }

  @Test
  void sizeBeyondIntRangeIsRejectedForIntFields() {
    assertThat(errors("server:\n  maxHeaderSize: 3GiB\n" + VALID_TAIL)).containsExactly(
        "server.maxHeaderSize: \"3GiB\" is too large (expected: at most 2147483647 bytes) (line 2)");
  }

  @Test
  void recordValidationErrorsCarryTheFullPathAndLine() {
    String yaml = """
        server:
          port: 70000
        backends:
          primary:
            endpoints: [http://10.0.0.1:8000]
            connectTimeout: 0
            pool:
              maxConnections: 0
        routes:
          - name: all
            match:
              pathPrefix: v1
            backend: primary
        """;

    assertThat(errors(yaml)).containsExactly(
        "server.port: 70000 (expected: 0..65535) (line 2)",
        "backends.primary.connectTimeout: 0s (expected: > 0) (line 6)",
        "backends.primary.pool.maxConnections: 0 (expected: > 0) (line 8)",
        "routes[0].match.pathPrefix: \"v1\" (expected: a path starting with /) (line 12)");
  }

  @Test
  void badEndpointIsPlacedAtItsListIndex() {
    String yaml = """
        backends:
          primary:
            endpoints:
              - http://10.0.0.1:8000
              - ftp://10.0.0.2:8000
              - http://10.0.0.3:0
        routes:
          - name: all
            backend: primary
        """;

    assertThat(errors(yaml)).containsExactly(
        "backends.primary.endpoints[1]: \"ftp://10.0.0.2:8000\" has an unsupported scheme "
            + "(expected: http://host:port or https://host:port) (line 5)",
        "backends.primary.endpoints[2].port: 0 (expected: 1..65535) (line 6)");
  }

  @Test
  void emptyEndpointListIsAnError() {
    assertThat(errors("backends:\n  primary:\n    endpoints: []\nroutes: [{name: a, backend: primary}]\n"))
        .containsExactly("backends.primary.endpoints: [] (expected: at least one http://host:port) (line 3)");
  }

  @Test
  void missingRequiredKeysPointAtTheEnclosingObject() {
    String yaml = """
        backends:
          primary:
            connectTimeout: 1s
        routes:
          - match: {pathPrefix: /}
        """;

    assertThat(errors(yaml)).containsExactly(
        "backends.primary.endpoints: missing (expected: a list of http://host:port) (line 2)",
        "routes[0].name: missing (expected: a unique route name, used in logs and metrics) (line 5)",
        "routes[0].backend: missing (expected: the name of a backend under backends) (line 5)");
  }

  @Test
  void backendWithNoValueIsMissingItsEndpoints() {
    String yaml = "backends:\n  primary:\n  other:\n    endpoints: [http://h:1]\nroutes: [{name: a, backend: other}]\n";

    assertThat(errors(yaml)).containsExactly("backends.primary.endpoints: missing (expected: a list of http://host:port) (line 2)");
  }

  @Test
  void duplicateRouteNameIsAnError() {
    String yaml = VALID_TAIL + "  - name: all\n    backend: primary\n";

    assertThat(errors(yaml)).containsExactly("routes[1].name: \"all\" is used by an earlier route (line 7)");
  }

  @Test
  void duplicateKeyIsAnError() {
    assertThat(errors("server:\n  port: 1\n  port: 2\n" + VALID_TAIL))
        .containsExactly("server.port: duplicate key (expected: each key once; first at line 2) (line 3)");
  }

  @Test
  void missingRoutesIsReportedByGatewayConfigWithoutALine() {
    assertThat(errors("server:\n  port: 8080\n")).containsExactly("routes: [] (expected: at least one route)");
  }

  @Test
  void routesWithoutBackendsAreAnError() {
    assertThat(errors("routes:\n  - name: a\n    backend: primary\n"))
        .containsExactly("backends: none defined (expected: at least one backend)");
  }

  @Test
  void emptyFileIsAnEmptyConfig() {
    List<String> expected = List.of("empty config (expected: at least one of server, backends, routes)");

    assertThat(errors("")).isEqualTo(expected);
    assertThat(errors("# nothing here\n")).isEqualTo(expected);
    assertThat(errors("{}")).isEqualTo(expected);
  }

  @Test
  void topLevelListIsAnError() {
    assertThat(errors("- server\n")).containsExactly(
        "the top level is a list (expected: a map with keys server, backends, routes, tiers, tenants, keysFile, "
            + "limiterCache, limiterStore, admin, status, alerts, accessLog) (line 1)");
  }

  @Test
  void backendNamesMayContainDots() {
    String yaml = """
        backends:
          gpt-4.1:
            endpoints: [http://10.0.0.1:8000]
            pool: {maxConnections: -1}
        routes:
          - name: all
            backend: gpt-4.1
        """;

    assertThat(errors(yaml)).containsExactly("backends.gpt-4.1.pool.maxConnections: -1 (expected: > 0) (line 4)");
  }

  @Test
  void everyErrorInTheFileIsCollectedInSourceOrder() {
    String yaml = """
        server:
          port: abc
          clientTimeout: 30
        backends:
          primary:
            endpoints: [http://10.0.0.1:8000]
          broken:
            endpoints: [nope]
        routes:
          - name: chat
            backend: primry
          - name: broken-route
            backend: broken
          - name: chat
            backend: primary
          - name: other
            backend: nowhere
        """;

    assertThat(errors(yaml)).containsExactly(
        "server.port: \"abc\" is not an integer (line 2)",
        "server.clientTimeout: \"30\" has no unit (expected: e.g. 30s or 30ms; a bare number is ambiguous) (line 3)",
        "backends.broken.endpoints[0]: \"nope\" has an unsupported scheme (expected: http://host:port or "
            + "https://host:port) (line 8)",
        "routes[0].backend: \"primry\" is not a defined backend (defined: primary, broken) (line 11)",
        "routes[2].name: \"chat\" is used by an earlier route (line 14)",
        "routes[3].backend: \"nowhere\" is not a defined backend (defined: primary, broken) (line 17)");
  }

  private static List<String> errors(String yaml) {
    return ConfigLoaderTest.errorsOf(yaml, "spillway.yaml").stream().map(ConfigError::format).toList();
  }

  @Test
  void http2LimitsNameTheKeyAndLine() {
    String yaml = """
        server:
          http2:
            maxConcurrentStreams: 0
        """ + VALID_TAIL;

    assertThat(errors(yaml)).containsExactly("server.http2.maxConcurrentStreams: 0 (expected: > 0) (line 3)");
  }

  @Test
  void http2ResetWindowIsWholeSeconds() {
    assertThat(errors("server:\n  http2: {resetWindow: 500ms}\n" + VALID_TAIL)).containsExactly(
        "server.http2.resetWindow: 500ms (expected: whole seconds, >= 1s) (line 2)");
  }

  @Test
  void http2UnknownKeyListsTheAllowedKeys() {
    assertThat(errors("server:\n  http2: {maxStreams: 5}\n" + VALID_TAIL)).containsExactly(
        "server.http2.maxStreams: unknown key (expected one of: enabled, maxConcurrentStreams, maxResetsPerWindow, "
            + "resetWindow, initialWindowSize) (line 2)");
  }
}
