package dev.spillway.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Each kind of error in the balancing, resilience, failover, retry and stream keys names its key path and line. */
class ResilienceConfigErrorsTest {
  private static final String TWO_BACKENDS = """
      backends:
        primary: { endpoints: [http://10.0.0.1:8000] }
        fallback: { endpoints: [http://10.0.0.2:8000] }
      """;

  @Test
  void undefinedTierBackendNamesItsPositionAndTheDefinedBackends() {
    String yaml = TWO_BACKENDS + """
        routes:
          - name: chat
            backends:
              - backend: primary
              - backend: fallbak
                model: gpt-4o-mini
              - nope
        """;

    assertThat(errors(yaml)).containsExactly(
        "routes[0].backends[1].backend: \"fallbak\" is not a defined backend (defined: primary, fallback) (line 8)",
        "routes[0].backends[2].backend: \"nope\" is not a defined backend (defined: primary, fallback) (line 10)");
  }

  @Test
  void undefinedFirstTierIsReportedWhereItWasWritten() {
    String yaml = TWO_BACKENDS + """
        routes:
          - name: listed
            backends: [primry, fallback]
          - name: both
            backend: primry
            backends: [primry]
        """;

    assertThat(errors(yaml)).containsExactly(
        "routes[0].backends[0].backend: \"primry\" is not a defined backend (defined: primary, fallback) (line 6)",
        "routes[1].backend: \"primry\" is not a defined backend (defined: primary, fallback) (line 8)");
  }

  @Test
  void backendMustMatchTheFirstTier() {
    String yaml = TWO_BACKENDS + """
        routes:
          - name: chat
            backend: fallback
            backends: [primary, fallback]
        """;

    assertThat(errors(yaml)).containsExactly("routes[0].backend: \"fallback\" (expected: the first of backends, "
        + "\"primary\"; with backends, leave backend out) (line 6)");
  }

  @Test
  void routeWithNeitherBackendNorTiersIsMissingItsBackend() {
    String yaml = TWO_BACKENDS + "routes:\n  - name: chat\n    retry: {maxAttempts: 2}\n";

    assertThat(errors(yaml)).containsExactly(
        "routes[0].backend: missing (expected: the name of a backend under backends) (line 5)");
  }

  @Test
  void malformedTiersAreReportedEach() {
    String yaml = TWO_BACKENDS + """
        routes:
          - name: empty
            backends: []
          - name: shapes
            backends:
              - [primary]
              - { model: small }
              - { backend: primary, weight: 2 }
          - name: scalar
            backends: primary
        """;

    assertThat(errors(yaml)).containsExactly(
        "routes[0].backends: 0 backends (expected: 1..15) (line 6)",
        "routes[1].backends[0]: a list is not a failover tier (a backend name, or a map with backend, model, overflow) "
            + "(line 9)",
        "routes[1].backends[1].backend: missing (expected: the name of a backend under backends) (line 10)",
        "routes[1].backends[2].weight: unknown key (expected one of: backend, model, overflow) (line 11)",
        "routes[2].backends: a string is not a list (line 13)");
  }

  @Test
  void mapEndpointsAreCheckedKeyByKey() {
    String yaml = """
        backends:
          primary:
            endpoints:
              - { url: "ftp://10.0.0.1:8000" }
              - { weight: 2 }
              - { url: "http://10.0.0.2:8000", weight: 0 }
              - { url: "http://10.0.0.3:8000", maxConcurrency: -1, port: 80 }
              - [http://10.0.0.4:8000]
        routes:
          - { name: chat, backend: primary }
        """;

    assertThat(errors(yaml)).containsExactly(
        "backends.primary.endpoints[0].url: \"ftp://10.0.0.1:8000\" has an unsupported scheme "
            + "(expected: http://host:port or https://host:port) (line 4)",
        "backends.primary.endpoints[1].url: missing (expected: http://host:port) (line 5)",
        "backends.primary.endpoints[2].weight: 0 (expected: 1..1000000) (line 6)",
        "backends.primary.endpoints[3].port: unknown key (expected one of: url, weight, maxConcurrency) (line 7)",
        "backends.primary.endpoints[3].maxConcurrency: -1 (expected: >= 0) (line 7)",
        "backends.primary.endpoints[4]: a list is not an endpoint (http://host:port, or a map with url, weight, "
            + "maxConcurrency) (line 8)");
  }

  @Test
  void wrongChoicesListTheAllowedValues() {
    String yaml = """
        backends:
          primary:
            endpoints: [http://10.0.0.1:8000]
            balancing: p2c
            breaker:
              windowType: sliding
        routes:
          - { name: chat, backend: primary }
        """;

    assertThat(errors(yaml)).containsExactly(
        "backends.primary.balancing: \"p2c\" is not a balancing strategy "
            + "(expected one of: powerOfTwoChoices, roundRobin, weighted) (line 4)",
        "backends.primary.breaker.windowType: \"sliding\" is not a window type (expected one of: count, time) "
            + "(line 6)");
  }

  @Test
  void unknownResilienceKeysListTheAllowedOnes() {
    String yaml = """
        backends:
          primary:
            endpoints: [http://10.0.0.1:8000]
            breakers: {}
            breaker: { threshold: 50 }
            healthCheck: { url: /health }
            outlier: { failures: 3 }
        routes:
          - name: chat
            backend: primary
            retries: 3
            retry: { attempts: 3, backoff: { min: 1s }, budget: { percent: 20 } }
            stream: { timeout: 1s }
        """;

    assertThat(errors(yaml)).containsExactly(
        "backends.primary.breakers: unknown key (expected one of: endpoints, connectTimeout, responseTimeout, "
            + "idleTimeout, requestTimeout, pool, concurrency, waitingRoom, balancing, breaker, healthCheck, outlier, "
            + "maxEjectedPercent, maxCooldown, tls, requestHeaders, removeClientKey, pathPrefix, path) (line 4)",
        "backends.primary.breaker.threshold: unknown key (expected one of: enabled, failureRateThreshold, "
            + "slowCallRateThreshold, slowCallDuration, windowType, windowSize, minimumCalls, waitInOpen, "
            + "maxWaitInOpen, halfOpenCalls) (line 5)",
        "backends.primary.healthCheck.url: unknown key (expected one of: enabled, path, interval, jitter, timeout, "
            + "healthyThreshold, unhealthyThreshold) (line 6)",
        "backends.primary.outlier.failures: unknown key (expected one of: enabled, consecutiveFailures, "
            + "baseEjection, maxEjection) (line 7)",
        "routes[0].retries: unknown key (expected one of: name, match, backend, backends, admission, retry, stream) "
            + "(line 11)",
        "routes[0].retry.attempts: unknown key (expected one of: maxAttempts, backoff, maxReplayableBody, budget) "
            + "(line 12)",
        "routes[0].retry.backoff.min: unknown key (expected one of: base, max) (line 12)",
        "routes[0].retry.budget.percent: unknown key (expected one of: ratio, minRetriesPerSecond) (line 12)",
        "routes[0].stream.timeout: unknown key (expected one of: firstTokenTimeout, idleTimeout, totalTimeout, "
            + "heartbeatInterval) (line 13)");
  }

  @Test
  void backendRangeErrorsNameTheKeyAndLine() {
    String yaml = """
        backends:
          primary:
            endpoints: [http://10.0.0.1:8000]
            breaker:
              failureRateThreshold: 0
            healthCheck:
              jitter: 1.5
            outlier:
              baseEjection: 1m
              maxEjection: 30s
        routes:
          - { name: chat, backend: primary }
        """;

    assertThat(errors(yaml)).containsExactly(
        "backends.primary.breaker.failureRateThreshold: 0 (expected: 1..100) (line 5)",
        "backends.primary.healthCheck.jitter: 1.5 (expected: 0..1) (line 7)",
        "backends.primary.outlier.maxEjection: 30s (expected: >= baseEjection 1m) (line 10)");
  }

  @Test
  void backendRangeErrorsOfTheTopLevelKeys() {
    String yaml = """
        backends:
          primary:
            endpoints: [http://10.0.0.1:8000]
            maxEjectedPercent: 101
          other:
            endpoints: [http://10.0.0.2:8000]
            maxCooldown: 0
            breaker: { windowSize: 10 }
        routes:
          - { name: chat, backend: primary }
        """;

    assertThat(errors(yaml)).containsExactly(
        "backends.primary.maxEjectedPercent: 101 (expected: 0..100) (line 4)",
        "backends.other.maxCooldown: 0s (expected: > 0) (line 7)",
        "backends.other.breaker.minimumCalls: 20 (expected: <= windowSize 10 for a count window) (line 8)");
  }

  @Test
  void retryAndStreamRangeErrorsNameTheKeyAndLine() {
    String yaml = TWO_BACKENDS + """
        routes:
          - name: chat
            backend: primary
            retry:
              maxAttempts: 11
          - name: backoff
            backend: primary
            retry:
              backoff:
                base: 2s
                max: 1s
              maxReplayableBody: 32MiB
          - name: budget
            backend: primary
            retry:
              budget:
                ratio: 1.5
          - name: stream
            backend: primary
            stream:
              idleTimeout: 30s
              heartbeatInterval: 30s
        """;

    assertThat(errors(yaml)).containsExactly(
        "routes[0].retry.maxAttempts: 11 (expected: 1..10) (line 8)",
        "routes[1].retry.backoff.max: 1s (expected: >= backoff.base 2s) (line 14)",
        "routes[2].retry.budget.ratio: 1.5 (expected: 0..1) (line 20)",
        "routes[3].stream.heartbeatInterval: 30s (expected: 0 or < idleTimeout 30s) (line 25)");
  }

  @Test
  void wrongTypesAreReported() {
    String yaml = TWO_BACKENDS.replace("primary: { endpoints: [http://10.0.0.1:8000] }",
        "primary: { endpoints: [http://10.0.0.1:8000], breaker: off, maxEjectedPercent: half }") + """
        routes:
          - name: chat
            backend: primary
            retry: { maxAttempts: three, backoff: 1s, maxReplayableBody: lots }
            stream: { firstTokenTimeout: 30 }
        """;

    assertThat(errors(yaml)).containsExactly(
        "backends.primary.breaker: a boolean is not a map (line 2)",
        "backends.primary.maxEjectedPercent: \"half\" is not an integer (line 2)",
        "routes[0].retry.maxAttempts: \"three\" is not an integer (line 7)",
        "routes[0].retry.backoff: a string is not a map (line 7)",
        "routes[0].retry.maxReplayableBody: \"lots\" is not a size (expected: e.g. 512B, 16KiB, 10MiB, 1GiB) "
            + "(line 7)",
        "routes[0].stream.firstTokenTimeout: \"30\" has no unit (expected: e.g. 30s or 30ms; a bare number is "
            + "ambiguous) (line 8)");
  }

  @Test
  void overflowNamesPriorityClassesOnceAndNeverOnTheFirstTier() {
    String yaml = TWO_BACKENDS + """
        routes:
          - name: chat
            backends:
              - { backend: primary, overflow: [standard] }
              - { backend: fallback, overflow: [critical, urgent] }
          - name: twice
            backends:
              - primary
              - backend: fallback
                overflow: [standard, standard]
          - name: map
            backends:
              - primary
              - { backend: fallback, overflow: { classes: [critical] } }
        """;

    assertThat(errors(yaml)).containsExactly(
        "routes[0].backends[1].overflow[1]: \"urgent\" is not a priority class (expected one of: critical, "
            + "standard, sheddable) (line 8)",
        "routes[1].backends[1].overflow: \"standard\" is listed twice (expected: each priority class at most "
            + "once) (line 13)",
        "routes[2].backends[1].overflow: a map is not a list (line 17)");
  }

  @Test
  void overflowOnTheFirstTierIsRefused() {
    String yaml = TWO_BACKENDS + """
        routes:
          - name: chat
            backends:
              - { backend: primary, overflow: [standard] }
              - fallback
        """;

    assertThat(errors(yaml)).containsExactly("routes[0].backends[0].overflow: [standard] (expected: none on the "
        + "primary; overflow goes from the primary to a fallback) (line 7)");
  }

  private static List<String> errors(String yaml) {
    return ConfigLoaderTest.errorsOf(yaml, "spillway.yaml").stream().map(ConfigError::format).toList();
  }
}
