package dev.spillway.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.FailurePolicy;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.config.LimiterStoreConfig;
import dev.spillway.core.config.LimiterStoreType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LimiterStoreConfigTest {
  private static final String BASE = """
      backends:
        b:
          endpoints: [http://127.0.0.1:8000]
      tiers:
        free:
          limits:
            - name: rpm
              bandwidths: 600/1m
              failure: closed
            - name: tpm
              unit: tokens
              bandwidths: 10000/1m
      routes:
        - name: r
          backend: b
          admission:
            defaultTier: free
      """;

  @Test
  void absentIsLocal() {
    GatewayConfig config = ConfigLoader.parse(BASE, "spillway.yaml", name -> null);
    assertThat(config.limiterStore()).isEqualTo(LimiterStoreConfig.LOCAL);
    assertThat(config.tiers().get("free").limits().get(0).failure()).isEqualTo(FailurePolicy.CLOSED);
    assertThat(config.tiers().get("free").limits().get(1).failure()).isEqualTo(FailurePolicy.STORE_DEFAULT);
  }

  @Test
  void redisWithPasswordFromTheEnvironmentAndTls() {
    String yaml = BASE + """
        limiterStore:
          type: redis
          uri: redis://redis.internal:6379
          password: ${REDIS_PASSWORD}
          tls: true
          timeout: 20ms
          batch: 0.02
          expectedInstances: 4
          failure: open
        """;
    GatewayConfig config = ConfigLoader.parse(yaml, "spillway.yaml", Map.of("REDIS_PASSWORD", "s3cret")::get);
    LimiterStoreConfig store = config.limiterStore();
    assertThat(store.type()).isEqualTo(LimiterStoreType.REDIS);
    assertThat(store.uri()).isEqualTo("rediss://redis.internal:6379");
    assertThat(store.password()).isEqualTo("s3cret");
    assertThat(store.timeout()).isEqualTo(Duration.ofMillis(20));
    assertThat(store.batch()).isEqualTo(0.02);
    assertThat(store.expectedInstances()).isEqualTo(4);
    assertThat(store.failure()).isEqualTo(FailurePolicy.OPEN);
    assertThat(store.toString()).doesNotContain("s3cret");
    assertThat(store.resolve(config.tiers().get("free").limits().get(0).failure())).isEqualTo(FailurePolicy.CLOSED);
    assertThat(store.resolve(config.tiers().get("free").limits().get(1).failure())).isEqualTo(FailurePolicy.OPEN);
  }

  @Test
  void errorsNameTheKeyAndLine() {
    String yaml = BASE + """
        limiterStore:
          type: redis
          uri: http://redis:6379
          batch: 2
          failure: maybe
          colour: red
        """;
    List<String> errors = ConfigLoaderTest.errorsOf(yaml, "spillway.yaml").stream().map(ConfigError::format)
        .toList();
    assertThat(errors).containsExactly(
        "limiterStore.expectedInstances: missing (expected: how many instances share the store, e.g. 3 (a limit"
            + " falling back to local enforces its capacity divided by it)) (line 18)",
        "limiterStore.uri: \"http://redis:6379\" (expected: redis://host:port or rediss://host:port) (line 20)",
        "limiterStore.failure: \"maybe\" is not a failure policy (expected one of: local, open, closed) (line 22)",
        "limiterStore.colour: unknown key (expected one of: type, uri, password, tls, timeout, batch,"
            + " expectedInstances, failure) (line 23)");
  }

  @Test
  void limitFailureMustBeAPolicy() {
    String yaml = BASE.replace("failure: closed", "failure: store_default");
    List<String> errors = ConfigLoaderTest.errorsOf(yaml, "spillway.yaml").stream().map(ConfigError::format)
        .toList();
    assertThat(errors).containsExactly("tiers.free.limits[0].failure: \"store_default\" is not a failure policy"
        + " (expected one of: local, open, closed) (line 9)");
  }
}
