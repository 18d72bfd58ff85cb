package dev.spillway.server.it;

import dev.spillway.core.Gateway;
import dev.spillway.core.admission.ratelimit.redis.LimiterStoreState;
import dev.spillway.core.admission.ratelimit.redis.RedisLimiterStore;
import dev.spillway.core.config.AdmissionConfig;
import dev.spillway.core.config.ApiKeys;
import dev.spillway.core.config.BandwidthConfig;
import dev.spillway.core.config.FailurePolicy;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.config.IdentityConfig;
import dev.spillway.core.config.LimitConfig;
import dev.spillway.core.config.LimitUnit;
import dev.spillway.core.config.LimiterCacheConfig;
import dev.spillway.core.config.LimiterStoreConfig;
import dev.spillway.core.config.LimiterStoreType;
import dev.spillway.core.config.PriorityClass;
import dev.spillway.core.config.RejectionConfig;
import dev.spillway.core.config.RouteConfig;
import dev.spillway.core.config.RouteMatch;
import dev.spillway.core.config.TenantConfig;
import dev.spillway.core.config.TierConfig;
import dev.spillway.core.config.TokenEstimationConfig;
import dev.spillway.server.mock.MockBackend;
import dev.spillway.server.mock.MockBackendOptions;
import dev.spillway.testing.StoreStates;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Gateways sharing one tenant's request limit on one Redis, in front of one mock backend, over real sockets;
 * and a hammer that sends that tenant's requests through all of them at once.
 */
final class GatewayCluster implements AutoCloseable {
  static final String KEY = "sk-acme-test";

  final List<Gateway> gateways = new ArrayList<>();
  final List<RedisLimiterStore> stores = new ArrayList<>();
  private final MockBackend backend;
  private final HttpClient http = ProxyFixture.client();

  /**
   * @param bandwidth the tenant's request limit, e.g. {@code 12/3s}
   * @param timeout the deadline of every Redis call
   */
  GatewayCluster(int instances, String redisUri, String bandwidth, Duration timeout, FailurePolicy failure)
      throws InterruptedException {
    backend = MockBackend.start(MockBackendOptions.defaults().withLatency(Duration.ZERO));
    try {
      for (int i = 0; i < instances; i++) {
        Gateway g = Gateway.start(config(backend.port(), redisUri, bandwidth, timeout, instances, failure));
        gateways.add(g);
        stores.add((RedisLimiterStore) g.limiterStores());
      }
      StoreStates.awaitUp(stores, Duration.ofSeconds(10));
    } catch (RuntimeException | InterruptedException | Error e) {
      close();
      throw e;
    }
  }

  /** What one hammering saw. */
  static final class Tally {
    final LongAdder ok = new LongAdder();
    final LongAdder limited = new LongAdder();
    final LongAdder other = new LongAdder();
    final AtomicLong maxResponseNanos = new AtomicLong();
    /** 429s without a {@code Retry-After} header. */
    final LongAdder limitedWithoutRetryAfter = new LongAdder();
    /** The first answer other than 200 and 429: its status and body, or the client's exception. */
    final AtomicReference<String> firstOther = new AtomicReference<>();

    void other(String what) {
      other.increment();
      firstOther.compareAndSet(null, what);
    }

    @Override
    public String toString() {
      return "200 x " + ok.sum() + ", 429 x " + limited.sum() + ", other x " + other.sum()
          + (firstOther.get() == null ? "" : " (first: " + firstOther.get() + ")") + ", slowest answer "
          + maxResponseNanos.get() / 1_000_000 + " ms";
    }
  }

  /** {@code threads} clients (spread over the gateways) send requests back to back for {@code duration}. */
  Tally hammer(Duration duration, int threads) throws InterruptedException {
    Tally tally = new Tally();
    long end = System.nanoTime() + duration.toNanos();
    List<Thread> running = new ArrayList<>();
    for (int k = 0; k < threads; k++) {
      Gateway gateway = gateways.get(k % gateways.size());
      Thread t = new Thread(() -> {
        for (int n = 0; n < 20_000 && System.nanoTime() < end; n++) {
          send(gateway, tally);
        }
      });
      running.add(t);
      t.start();
    }
    for (Thread t : running) {
      t.join();
    }
    return tally;
  }

  /**
   * Waits until every store is up again after Redis came back (at most {@code timeout}), sending requests
   * meanwhile: the breaker tests Redis only when a lease asks it something.
   */
  void awaitUpUnderTraffic(Duration timeout) throws InterruptedException {
    CompletableFuture<Void> up = StoreStates.whenAll(stores, LimiterStoreState.UP);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!up.isDone() && System.nanoTime() - deadline < 0) {
      hammer(Duration.ofMillis(50), gateways.size());
    }
    StoreStates.await(up, stores, Duration.ZERO);
  }

  /** The slowest rate-limit decision on a shared bucket, over every gateway, as the gateways measured it. */
  long maxDecisionNanos() {
    return stores.stream().mapToLong(s -> s.stats().maxDecisionNanos()).max().orElse(0);
  }

  private void send(Gateway gateway, Tally tally) {
    HttpRequest request = ProxyFixture.request(gateway, "/v1/chat/completions")
        .header("Content-Type", "application/json").header("Authorization", "Bearer " + KEY)
        .POST(HttpRequest.BodyPublishers.ofString(ProxyFixture.chatBody(false, 2))).build();
    long start = System.nanoTime();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      tally.maxResponseNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
      int status = response.statusCode();
      if (status == 200) {
        tally.ok.increment();
      } else if (status == 429) {
        tally.limited.increment();
      } else {
        tally.other(status + " " + response.body());
      }
      if (status == 429 && response.headers().firstValue("Retry-After").isEmpty()) {
        tally.limitedWithoutRetryAfter.increment();
      }
    } catch (Exception e) {
      tally.other(e.toString());
    }
  }

  private static GatewayConfig config(int backendPort, String redisUri, String bandwidth, Duration timeout,
      int instances, FailurePolicy failure) {
    TierConfig pro = new TierConfig("pro", PriorityClass.STANDARD, List.of(new LimitConfig("rpm",
        LimitUnit.REQUESTS, List.of(BandwidthConfig.parse(bandwidth)), true)));
    AdmissionConfig admission = new AdmissionConfig(IdentityConfig.DEFAULTS, false, "pro", List.of(),
        TokenEstimationConfig.DEFAULTS, RejectionConfig.DEFAULTS);
    RouteConfig route = new RouteConfig("chat", new RouteMatch(null, "/"), "b", admission);
    LimiterStoreConfig store = new LimiterStoreConfig(LimiterStoreType.REDIS, redisUri, null, timeout, 0.05,
        instances, failure);
    return new GatewayConfig(ProxyFixture.server(), Map.of("b", ProxyFixture.backend(List.of(backendPort),
        Duration.ofSeconds(10))), List.of(route), Map.of("pro", pro),
        List.of(new TenantConfig("acme", "pro", List.of(ApiKeys.sha256Hex(KEY)))), LimiterCacheConfig.DEFAULTS,
        store);
  }

  @Override
  public void close() {
    gateways.forEach(Gateway::close);
    backend.close();
  }
}
