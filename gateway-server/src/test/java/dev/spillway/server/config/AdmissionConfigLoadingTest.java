package dev.spillway.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.AdmissionConfig;
import dev.spillway.core.config.ApiKeys;
import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.BandwidthConfig;
import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.ConcurrencyConfig.Mode;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.config.IdentityConfig;
import dev.spillway.core.config.IdentityConfig.IdentitySource;
import dev.spillway.core.config.LimitConfig;
import dev.spillway.core.config.LimitUnit;
import dev.spillway.core.config.LimiterCacheConfig;
import dev.spillway.core.config.PriorityClass;
import dev.spillway.core.config.RejectionConfig;
import dev.spillway.core.config.TenantConfig;
import dev.spillway.core.config.TierConfig;
import dev.spillway.core.config.TokenEstimationConfig;
import dev.spillway.core.config.Tokenizer;
import dev.spillway.core.config.WaitingRoomConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tiers, tenants, route admission and backend concurrency load into the core records, with their defaults. */
class AdmissionConfigLoadingTest {
  static final String BACKEND_AND_ROUTE = """
      backends:
        primary:
          endpoints: [http://10.0.0.1:8000]
      routes:
        - name: chat
          backend: primary
      """;
  private static final String HASH_A = ApiKeys.sha256Hex("a");

  @Test
  void everyAdmissionKeyIsBound() {
    String yaml = """
        limiterCache:
          maxTenants: 5000
          idleExpiry: 10m
        tiers:
          free:
            priority: sheddable
            limits:
              - name: rpm
                unit: requests
                bandwidths: ["20/s", "600/1m"]
                enforce: false
              - { name: tpm, unit: tokens, bandwidths: ["40000/1m"] }
          pro:
            priority: critical
            limits: []
        tenants:
          - name: acme
            tier: pro
            keys: ["sk-acme"]
            keySha256: ["%s"]
        routes:
          - name: chat
            match: { pathPrefix: /v1/ }
            backend: primary
            admission:
              identity: { source: clientIp, header: X-Api-Key, trustedProxies: ["10.0.0.0/8", "::1/128"] }
              requireKnownKey: true
              defaultTier: free
              limits:
                - { name: route-rpm, bandwidths: 1000/s }
              tokens:
                { maxPrefix: 32KiB, charsPerToken: 3, defaultMaxTokens: 2048, requestUsage: false, tokenizer: cl100k_base }
              rejection:
                { rateLimitedStatus: 430, overloadedStatus: 529, rateLimitedMessage: slow, overloadedMessage: full }
        backends:
          primary:
            endpoints: [http://10.0.0.1:8000]
            concurrency: { mode: adaptive, limit: 32, minLimit: 2, maxLimit: 512, prefillGate: true }
            waitingRoom:
              maxQueue: 0
              maxWait: 2s
              shares: { critical: 0.6, standard: 0.4, sheddable: 0 }
              codelTarget: 20ms
              codelInterval: 200ms
        """.formatted(HASH_A.toUpperCase(Locale.ROOT));

    GatewayConfig config = ConfigLoader.parse(yaml, "all.yaml", name -> null);

    assertThat(config.limiterCache()).isEqualTo(new LimiterCacheConfig(5000, Duration.ofMinutes(10)));
    assertThat(config.tiers()).containsExactly(
        Map.entry("free", new TierConfig("free", PriorityClass.SHEDDABLE, List.of(
            new LimitConfig("rpm", LimitUnit.REQUESTS, List.of(BandwidthConfig.parse("20/s"),
                BandwidthConfig.parse("600/1m")), false),
            new LimitConfig("tpm", LimitUnit.TOKENS, List.of(BandwidthConfig.parse("40000/1m")), true)))),
        Map.entry("pro", new TierConfig("pro", PriorityClass.CRITICAL, List.of())));
    assertThat(config.tenants()).containsExactly(
        new TenantConfig("acme", "pro", List.of(ApiKeys.sha256Hex("sk-acme"), HASH_A)));
    assertThat(config.routes().get(0).admission()).isEqualTo(new AdmissionConfig(
        new IdentityConfig(IdentitySource.CLIENT_IP, "X-Api-Key", List.of("10.0.0.0/8", "::1/128")), true, "free",
        List.of(new LimitConfig("route-rpm", LimitUnit.REQUESTS, List.of(BandwidthConfig.parse("1000/s")), true)),
        new TokenEstimationConfig(32 * 1024, 3, 2048, false, Tokenizer.CL100K_BASE),
        new RejectionConfig(430, 529, "slow", "full")));
    BackendConfig primary = config.backends().get("primary");
    assertThat(primary.concurrency()).isEqualTo(new ConcurrencyConfig(Mode.ADAPTIVE, 32, 2, 512, null, true));
    assertThat(primary.waitingRoom()).isEqualTo(new WaitingRoomConfig(0, Duration.ofSeconds(2),
        Map.of(PriorityClass.CRITICAL, 0.6, PriorityClass.STANDARD, 0.4, PriorityClass.SHEDDABLE, 0.0),
        Duration.ofMillis(20), Duration.ofMillis(200)));
  }

  @Test
  void absentAdmissionKeysTakeRecordDefaults() {
    String yaml = """
        tiers:
          free:
            limits:
              - { name: rpm, bandwidths: 20/s }
        routes:
          - name: chat
            backend: primary
            admission:
              defaultTier: free
        backends:
          primary:
            endpoints: [http://10.0.0.1:8000]
            concurrency: {}
            waitingRoom: {}
        """;

    GatewayConfig config = ConfigLoader.parse(yaml, "defaults.yaml", name -> null);

    assertThat(config.tiers().get("free")).isEqualTo(new TierConfig("free", TierConfig.DEFAULT_PRIORITY,
        List.of(new LimitConfig("rpm", LimitUnit.REQUESTS, List.of(BandwidthConfig.parse("20/s")), true))));
    assertThat(config.tenants()).isEmpty();
    assertThat(config.limiterCache()).isEqualTo(LimiterCacheConfig.DEFAULTS);
    assertThat(config.routes().get(0).admission()).isEqualTo(new AdmissionConfig(IdentityConfig.DEFAULTS, false,
        "free", List.of(), TokenEstimationConfig.DEFAULTS, RejectionConfig.DEFAULTS));
    BackendConfig primary = config.backends().get("primary");
    assertThat(primary.concurrency()).isEqualTo(new ConcurrencyConfig(Mode.STATIC, ConcurrencyConfig.DEFAULT_LIMIT,
        ConcurrencyConfig.DEFAULT_MIN_LIMIT, ConcurrencyConfig.DEFAULT_MAX_LIMIT));
    assertThat(primary.concurrency().prefillGate()).isFalse();
    assertThat(primary.waitingRoom()).isEqualTo(WaitingRoomConfig.DEFAULTS);
  }

  @Test
  void withoutAdmissionKeysNothingIsLimited() {
    GatewayConfig config = ConfigLoader.parse(BACKEND_AND_ROUTE, "plain.yaml", name -> null);

    assertThat(config.routes().get(0).admission()).isNull();
    assertThat(config.backends().get("primary").concurrency()).isNull();
    assertThat(config.backends().get("primary").waitingRoom()).isEqualTo(WaitingRoomConfig.DEFAULTS);
    assertThat(config.tiers()).isEmpty();
    assertThat(config.tenants()).isEmpty();
  }

  @Test
  void bareIntegerConcurrencyIsAStaticLimit() {
    String yaml = BACKEND_AND_ROUTE.replace("endpoints: [http://10.0.0.1:8000]",
        "endpoints: [http://10.0.0.1:8000]\n    concurrency: 64");

    assertThat(ConfigLoader.parse(yaml, "c.yaml", name -> null).backends().get("primary").concurrency())
        .isEqualTo(ConcurrencyConfig.fixed(64));
  }

  @Test
  void partialSharesGiveTheOtherClassesNone() {
    String yaml = BACKEND_AND_ROUTE.replace("endpoints: [http://10.0.0.1:8000]",
        "endpoints: [http://10.0.0.1:8000]\n    concurrency: 8\n    waitingRoom: {shares: {critical: 1}}");

    assertThat(ConfigLoader.parse(yaml, "c.yaml", name -> null).backends().get("primary").waitingRoom().shares())
        .containsExactly(Map.entry(PriorityClass.CRITICAL, 1.0), Map.entry(PriorityClass.STANDARD, 0.0),
            Map.entry(PriorityClass.SHEDDABLE, 0.0));
  }

  @Test
  void singleStringBandwidthIsAListOfOne() {
    String single = "tiers:\n  free:\n    limits: [{name: rpm, bandwidths: 20/s}]\n" + BACKEND_AND_ROUTE;
    String list = "tiers:\n  free:\n    limits: [{name: rpm, bandwidths: [20/s]}]\n" + BACKEND_AND_ROUTE;

    GatewayConfig config = ConfigLoader.parse(single, "s.yaml", name -> null);

    assertThat(config.tiers().get("free").limits().get(0).bandwidths())
        .containsExactly(new BandwidthConfig(20, Duration.ofSeconds(1)));
    assertThat(config).isEqualTo(ConfigLoader.parse(list, "l.yaml", name -> null));
  }

  @Test
  void envSubstitutedKeysAreHashedAndNeverKept() {
    String yaml = """
        tiers: {pro: {}}
        tenants:
          - name: acme
            tier: pro
            keys: ["${ACME_KEY}", "${OTHER_KEY:sk-default-other}"]
        """ + BACKEND_AND_ROUTE;
    String rawKey = "sk-live-0123456789abcdef";

    GatewayConfig config = ConfigLoader.parse(yaml, "k.yaml", Map.of("ACME_KEY", rawKey)::get);

    // Computed independently: printf %s sk-live-0123456789abcdef | sha256sum
    assertThat(config.tenants().get(0).keyHashes()).containsExactly(
        "8598adc12a31721cf5d432fdea4c5121acba19f837bca01f52f808f5c828257b",
        ApiKeys.sha256Hex("sk-default-other"));
    assertThat(config.toString()).doesNotContain(rawKey).doesNotContain("sk-default-other");
  }

  @Test
  void keysFileTenantsAreMergedAfterTheInlineOnes(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("tenants.yaml"), """
        - name: globex
          tier: free
          keys: ["${GLOBEX_KEY}"]
        - name: initech
          tier: pro
          keySha256: [%s]
        """.formatted(HASH_A));
    Path config = Files.writeString(dir.resolve("spillway.yaml"), """
        tiers: {free: {}, pro: {}}
        tenants:
          - {name: acme, tier: pro, keys: [sk-acme]}
        keysFile: tenants.yaml
        """ + BACKEND_AND_ROUTE);

    GatewayConfig loaded = ConfigLoader.load(config, Map.of("GLOBEX_KEY", "sk-globex")::get);

    assertThat(loaded.tenants()).containsExactly(
        new TenantConfig("acme", "pro", List.of(ApiKeys.sha256Hex("sk-acme"))),
        new TenantConfig("globex", "free", List.of(ApiKeys.sha256Hex("sk-globex"))),
        new TenantConfig("initech", "pro", List.of(HASH_A)));
  }

  @Test
  void keysFileMayBeJson(@TempDir Path dir) throws IOException {
    Path keys = Files.writeString(dir.resolve("tenants.json"),
        "[{\"name\": \"globex\", \"tier\": \"free\", \"keys\": [\"sk-globex\"]}]");
    String yaml = "tiers: {free: {}}\nkeysFile: " + keys + "\n" + BACKEND_AND_ROUTE;

    assertThat(ConfigLoader.parse(yaml, "spillway.yaml", name -> null).tenants())
        .containsExactly(new TenantConfig("globex", "free", List.of(ApiKeys.sha256Hex("sk-globex"))));
  }

  @Test
  void emptyKeysFileHoldsNoTenants(@TempDir Path dir) throws IOException {
    Path keys = Files.writeString(dir.resolve("tenants.yaml"), "# no tenants yet\n");
    String yaml = "keysFile: " + keys + "\n" + BACKEND_AND_ROUTE;

    assertThat(ConfigLoader.parse(yaml, "spillway.yaml", name -> null).tenants()).isEmpty();
  }

  @Test
  void theDocumentedExampleHasAdmissionControl() {
    GatewayConfig config = ConfigLoader.load(ConfigLoaderTest.exampleFile(), Map.<String, String>of()::get);

    assertThat(config.tiers()).containsOnlyKeys("free", "pro");
    assertThat(config.tenants()).containsExactly(
        new TenantConfig("acme", "pro", List.of(ApiKeys.sha256Hex("sk-acme-demo"))));
    assertThat(config.routes().get(1).admission().defaultTier()).isEqualTo("free");
    assertThat(config.backends().get("primary").concurrency().mode()).isEqualTo(Mode.ADAPTIVE);
    assertThat(config.backends().get("primary").waitingRoom()).isEqualTo(WaitingRoomConfig.DEFAULTS);
    assertThat(config.toString()).doesNotContain("sk-acme-demo");
  }
}
