package dev.spillway.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.spillway.core.config.ApiKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of error in the admission-control keys names its key path and line; raw API keys never show. */
class AdmissionConfigErrorsTest {
  private static final String BACKEND_AND_ROUTE = AdmissionConfigLoadingTest.BACKEND_AND_ROUTE;

  @Test
  void malformedBandwidthIsPlacedAtItsListIndex() {
    String yaml = """
        tiers:
          free:
            limits:
              - name: rpm
                bandwidths: 20/s
              - name: tpm
                unit: tokens
                bandwidths: ["40000 per minute", "1/0s"]
        """ + BACKEND_AND_ROUTE;

    assertThat(errors(yaml)).containsExactly(
        "tiers.free.limits[1].bandwidths[0]: \"40000 per minute\" is not a bandwidth (expected: <count>/<period>, "
            + "e.g. 20/s, 600/1m, 40000/1m) (line 8)",
        "tiers.free.limits[1].bandwidths[1]: \"1/0s\" is not a bandwidth (expected: <count>/<period>, "
            + "e.g. 20/s, 600/1m, 40000/1m) (line 8)");
  }

  @Test
  void singleStringBandwidthErrorIsPlacedAtTheKey() {
    String yaml = "tiers:\n  free:\n    limits:\n      - name: rpm\n        bandwidths: lots\n" + BACKEND_AND_ROUTE;

    assertThat(errors(yaml)).containsExactly("tiers.free.limits[0].bandwidths: \"lots\" is not a bandwidth "
        + "(expected: <count>/<period>, e.g. 20/s, 600/1m, 40000/1m) (line 5)");
  }

  @Test
  void undefinedDefaultTierNamesTheDefinedTiers() {
    String yaml = """
        tiers:
          free: {}
          pro: {}
        backends:
          primary:
            endpoints: [http://10.0.0.1:8000]
        routes:
          - name: open
            backend: primary
          - name: chat
            backend: primary
            admission:
              defaultTier: gold
          - name: batch
            backend: primary
            admission: {defaultTier: bronze}
        """;

    assertThat(errors(yaml)).containsExactly(
        "routes[1].admission.defaultTier: \"gold\" is not a defined tier (defined: free, pro) (line 13)",
        "routes[2].admission.defaultTier: \"bronze\" is not a defined tier (defined: free, pro) (line 16)");
  }

  @Test
  void defaultTierWithoutAnyTiersSaysSo() {
    String yaml = BACKEND_AND_ROUTE + "    admission: {defaultTier: free}\n";

    assertThat(errors(yaml)).containsExactly(
        "routes[0].admission.defaultTier: \"free\" is not a defined tier (no tiers are defined) (line 7)");
  }

  @Test
  void tenantCrossChecksNameTheTenantAndKey() {
    String yaml = """
        tiers: {free: {}, pro: {}}
        tenants:
          - name: acme
            tier: pro
            keys: ["sk-one", "sk-two"]
          - name: acme
            tier: gold
            keys: ["sk-three"]
          - name: globex
            tier: free
            keys: ["sk-four", "sk-two"]
            keySha256: ["%s"]
        """.formatted(ApiKeys.sha256Hex("sk-one")) + BACKEND_AND_ROUTE;

    assertThat(errors(yaml)).containsExactly(
        "tenants[1].name: \"acme\" is used by an earlier tenant (line 6)",
        "tenants[1].tier: \"gold\" is not a defined tier (defined: free, pro) (line 7)",
        "tenants[2].keys[1]: this key already belongs to tenant \"acme\" (line 11)",
        "tenants[2].keySha256[0]: this key already belongs to tenant \"acme\" (line 12)");
  }

  @Test
  void duplicateKeyInMultiLineListPointsAtItsOwnLine() {
    String yaml = """
        tiers: {pro: {}}
        tenants:
          - name: acme
            tier: pro
            keys: [sk-one]
          - name: globex
            tier: pro
            keys:
              - sk-two
              - sk-one
        """ + BACKEND_AND_ROUTE;

    assertThat(errors(yaml))
        .containsExactly("tenants[1].keys[1]: this key already belongs to tenant \"acme\" (line 10)");
  }

  @Test
  void enumValuesListTheAllowedSpellings() {
    String yaml = """
        tiers:
          free:
            priority: urgent
            limits: [{name: rpm, unit: bytes, bandwidths: 1/s}]
        backends:
          primary:
            endpoints: [http://10.0.0.1:8000]
            concurrency: {mode: ADAPTIVE}
        routes:
          - name: chat
            backend: primary
            admission:
              defaultTier: free
              identity: {source: api_key}
        """;

    assertThat(errors(yaml)).containsExactly(
        "tiers.free.priority: \"urgent\" is not a priority class (expected one of: critical, standard, "
            + "sheddable) (line 3)",
        "tiers.free.limits[0].unit: \"bytes\" is not a limit unit (expected one of: requests, tokens) (line 4)",
        "backends.primary.concurrency.mode: \"ADAPTIVE\" is not a concurrency mode (expected one of: static, "
            + "adaptive) (line 8)",
        "routes[0].admission.identity.source: \"api_key\" is not an identity source (expected one of: apiKey, "
            + "clientIp) (line 14)");
  }

  @Test
  void unknownKeysListTheAllowedKeysAtEveryNewLevel() {
    String yaml = """
        limiterCache: {maxTenant: 1}
        tiers:
          free:
            prio: standard
            limits: [{name: rpm, bandwidth: 1/s}]
        tenants:
          - {name: acme, tier: free, key: [x]}
        backends:
          primary:
            endpoints: [http://10.0.0.1:8000]
            concurrency: {limits: 4}
            waitingRoom: {queue: 1, shares: {low: 0}}
        routes:
          - name: chat
            backend: primary
            admission:
              defaultTier: free
              tier: free
              identity: {proxies: []}
              tokens: {maxPrefixBytes: 1KiB}
              rejection: {status: 429}
        """;

    assertThat(errors(yaml)).containsExactly(
        "limiterCache.maxTenant: unknown key (expected one of: maxTenants, idleExpiry) (line 1)",
        "tiers.free.prio: unknown key (expected one of: priority, limits) (line 4)",
        "tiers.free.limits[0].bandwidth: unknown key (expected one of: name, unit, bandwidths, enforce, failure) (line 5)",
        "tiers.free.limits[0].bandwidths: missing (expected: one or more <count>/<period>, e.g. [20/s, 600/1m]) "
            + "(line 5)",
        "tenants[0].key: unknown key (expected one of: name, tier, keys, keySha256) (line 7)",
        "tenants[0].keys: missing (expected: at least one API key under keys or keySha256) (line 7)",
        "backends.primary.concurrency.limits: unknown key (expected one of: mode, limit, minLimit, maxLimit, "
            + "engineSignal, prefillGate) (line 11)",
        "backends.primary.waitingRoom.queue: unknown key (expected one of: maxQueue, maxWait, shares, codelTarget, "
            + "codelInterval) (line 12)",
        "backends.primary.waitingRoom.shares.low: unknown key (expected one of: critical, standard, sheddable) "
            + "(line 12)",
        "routes[0].admission.tier: unknown key (expected one of: identity, requireKnownKey, defaultTier, limits, "
            + "tokens, rejection) (line 18)",
        "routes[0].admission.identity.proxies: unknown key (expected one of: source, header, trustedProxies, "
            + "unknownKeys) (line 19)",
        "routes[0].admission.tokens.maxPrefixBytes: unknown key (expected one of: maxPrefix, charsPerToken, "
            + "defaultMaxTokens, requestUsage, tokenizer) (line 20)",
        "routes[0].admission.rejection.status: unknown key (expected one of: rateLimitedStatus, overloadedStatus, "
            + "rateLimitedMessage, overloadedMessage) (line 21)");
  }

  @Test
  void missingRequiredKeysPointAtTheEnclosingObject() {
    String yaml = """
        tiers:
          free:
            limits:
              - bandwidths: 1/s
        tenants:
          - keys: [sk-x]
        """ + BACKEND_AND_ROUTE + """
            admission:
              requireKnownKey: true
        """;

    assertThat(errors(yaml)).containsExactly(
        "tiers.free.limits[0].name: missing (expected: a name unique in its list, shown in RateLimit-Policy headers "
            + "and metrics) (line 4)",
        "tenants[0].name: missing (expected: a unique tenant name, shown in logs and metrics instead of its keys) "
            + "(line 6)",
        "tenants[0].tier: missing (expected: the name of a tier under tiers) (line 6)",
        "routes[0].admission.defaultTier: missing (expected: the name of a tier under tiers, for unknown keys and "
            + "client IPs) (line 13)");
  }

  @Test
  void recordValidationErrorsCarryTheFileKeyNames() {
    String yaml = """
        limiterCache: {maxTenants: 0}
        tiers:
          free:
            limits:
              - {name: rpm, bandwidths: 1/s}
              - {name: rpm, bandwidths: []}
        backends:
          primary:
            endpoints: [http://10.0.0.1:8000]
            concurrency: {mode: adaptive, limit: 2}
            waitingRoom:
              shares: {critical: 0.6, standard: 0.6}
          small:
            endpoints: [http://10.0.0.2:8000]
            concurrency: 0
        routes:
          - name: chat
            backend: primary
            admission:
              defaultTier: free
              identity: {trustedProxies: [10.0.0.0/8, 10.0.0.0/33, gateway.local]}
              tokens: {maxPrefix: 32MiB, charsPerToken: 0, tokenizer: gpt2}
              rejection: {rateLimitedStatus: 200}
        """;

    assertThat(errors(yaml)).containsExactly(
        "limiterCache.maxTenants: 0 (expected: > 0) (line 1)",
        "tiers.free.limits[1].bandwidths: [] (expected: at least one, e.g. 20/s) (line 6)",
        "backends.primary.concurrency.limit: 2 (expected: minLimit 4 <= limit <= maxLimit 1024) (line 10)",
        "backends.primary.waitingRoom.shares: 1.2 in total (expected: <= 1) (line 12)",
        "backends.small.concurrency: 0 (expected: > 0) (line 15)",
        "routes[0].admission.identity.trustedProxies[1]: \"10.0.0.0/33\" is not a CIDR (expected: e.g. 10.0.0.0/8, "
            + "192.168.1.7/32, ::1/128) (line 21)",
        "routes[0].admission.identity.trustedProxies[2]: \"gateway.local\" is not a CIDR (expected: e.g. "
            + "10.0.0.0/8, 192.168.1.7/32, ::1/128) (line 21)",
        "routes[0].admission.tokens.tokenizer: \"gpt2\" (expected one of: auto, chars, o200k_base, cl100k_base) "
            + "(line 22)",
        "routes[0].admission.tokens.maxPrefix: 32MiB (expected: <= 16MiB) (line 22)",
        "routes[0].admission.rejection.rateLimitedStatus: 200 (expected: 400..599) (line 23)");
  }

  @Test
  void duplicateLimitNameIsAnError() {
    String yaml = "tiers:\n  free:\n    limits:\n      - {name: rpm, bandwidths: 1/s}\n"
        + "      - {name: rpm, bandwidths: 2/s}\n" + BACKEND_AND_ROUTE;

    assertThat(errors(yaml)).containsExactly("tiers.free.limits[1].name: \"rpm\" is used by an earlier limit (line 5)");
  }

  @Test
  void waitingRoomWithoutConcurrencyIsAnError() {
    String yaml = BACKEND_AND_ROUTE.replace("endpoints: [http://10.0.0.1:8000]",
        "endpoints: [http://10.0.0.1:8000]\n    waitingRoom: {maxQueue: 10}");

    assertThat(errors(yaml)).containsExactly("backends.primary.waitingRoom: has no effect without concurrency "
        + "(expected: set concurrency too, or remove waitingRoom) (line 4)");
  }

  @Test
  void unsetKeyVariableIsNamedWithoutAnyKey() {
    String yaml = "tiers: {pro: {}}\ntenants:\n  - name: acme\n    tier: pro\n    keys: [\"${ACME_KEY}\"]\n"
        + BACKEND_AND_ROUTE;

    assertThat(errors(yaml)).containsExactly("tenants[0].keys[0]: environment variable ACME_KEY is not set "
        + "(expected: set it, or give a default: ${ACME_KEY:default}) (line 5)");
  }

  @Test
  void badKeysAreReportedWithoutEchoingThem() {
    String yaml = """
        tiers: {pro: {}}
        tenants:
          - name: acme
            tier: pro
            keys:
              - ""
              - "sk-secret-1${"
              - "${BAD-NAME:sk-secret-2}"
              - 12345
              - {key: sk-secret-3}
            keySha256: [sk-secret-4]
        """ + BACKEND_AND_ROUTE;

    ConfigLoadException e = catchThrowableOfType(ConfigLoadException.class,
        () -> ConfigLoader.parse(yaml, "spillway.yaml", name -> null));

    assertThat(e.errors()).extracting(ConfigError::format).containsExactly(
        "tenants[0].keys[0]: an empty key (expected: a non-empty API key) (line 6)",
        "tenants[0].keys[1]: the value (not shown, it is secret) has an unclosed ${ (expected: ${NAME} or "
            + "${NAME:default}, or $${ for a literal ${) (line 7)",
        "tenants[0].keys[2]: a variable reference in the value (not shown, it is secret) is not a valid variable "
            + "reference (expected: ${NAME} or ${NAME:default}, NAME made of letters, digits and _) (line 8)",
        "tenants[0].keys[3]: a number is not an API key (expected: a string; quote it) (line 9)",
        "tenants[0].keys[4]: a map is not an API key (expected: a string; quote it) (line 10)",
        "tenants[0].keySha256[0]: not a SHA-256 hex digest (expected: 64 hex digits; the value is not shown in "
            + "case it is a raw key) (line 11)");
    assertThat(e.getMessage()).doesNotContain("sk-secret").doesNotContain("12345");
  }

  @Test
  void keysFileErrorsNameThatFileAndItsLines(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("tenants.yaml"), """
        - name: globex
          tier: free
          keys: [sk-globex]
        - name: initech
          tier: gold
          keys:
            - sk-initech
            - sk-acme
          extra: 1
        """);
    Path config = Files.writeString(dir.resolve("spillway.yaml"), """
        tiers: {free: {}, pro: {}}
        tenants:
          - {name: acme, tier: pro, keys: [sk-acme]}
          - {name: hooli, tier: platinum, keys: [sk-hooli]}
        keysFile: tenants.yaml
        """ + BACKEND_AND_ROUTE);

    ConfigLoadException e = catchThrowableOfType(ConfigLoadException.class,
        () -> ConfigLoader.load(config, name -> null));

    assertThat(e.errors()).extracting(ConfigError::format).containsExactly(
        "tenants[1].tier: \"platinum\" is not a defined tier (defined: free, pro) (line 4)",
        "tenants.yaml[1].tier: \"gold\" is not a defined tier (defined: free, pro) (line 5)",
        "tenants.yaml[1].keys[1]: this key already belongs to tenant \"acme\" (line 8)",
        "tenants.yaml[1].extra: unknown key (expected one of: name, tier, keys, keySha256) (line 9)");
    assertThat(e.getMessage()).doesNotContain("sk-acme");
  }

  @Test
  void keysFileSyntaxAndShapeErrorsNameThatFile(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("broken.yaml"), "- name: a\n  tier: [free\n");
    Files.writeString(dir.resolve("map.yaml"), "acme: {tier: free}\n");
    String tail = "tiers: {free: {}}\n" + BACKEND_AND_ROUTE;

    assertThat(ConfigLoader.validate(Files.writeString(dir.resolve("a.yaml"), "keysFile: broken.yaml\n" + tail),
        name -> null)).singleElement().satisfies(error -> {
          assertThat(error.path()).isEqualTo("broken.yaml");
          assertThat(error.message()).startsWith("YAML syntax error: ");
        });
    assertThat(ConfigLoader.validate(Files.writeString(dir.resolve("b.yaml"), "keysFile: map.yaml\n" + tail),
        name -> null)).extracting(ConfigError::format).containsExactly("map.yaml: the top level is a map "
            + "(expected: a list of tenants, each with name, tier, keys, keySha256) (line 1)");
  }

  @Test
  void missingKeysFileIsReportedAtTheKey(@TempDir Path dir) throws IOException {
    Path config = Files.writeString(dir.resolve("spillway.yaml"), BACKEND_AND_ROUTE + "keysFile: absent.yaml\n");

    assertThat(ConfigLoader.validate(config, name -> null)).extracting(ConfigError::format)
        .containsExactly("keysFile: cannot read " + dir.resolve("absent.yaml") + ": no such file (line 7)");
  }

  private static List<String> errors(String yaml) {
    return errors(yaml, name -> null);
  }

  private static List<String> errors(String yaml, Function<String, String> env) {
    return ConfigLoaderTest.errorsOf(yaml, "spillway.yaml", env).stream().map(ConfigError::format).toList();
  }
}
