package dev.spillway.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spillway.core.admission.Tenant;
import dev.spillway.core.admission.concurrency.BackendAdmission;
import dev.spillway.core.admission.concurrency.Permit;
import dev.spillway.core.admission.ratelimit.RateDecision;
import dev.spillway.core.admission.ratelimit.RouteRateLimiter;
import dev.spillway.core.attempt.AttemptOutcome;
import dev.spillway.core.config.AdmissionConfig;
import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.BandwidthConfig;
import dev.spillway.core.config.BreakerConfig;
import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.ConfigException;
import dev.spillway.core.config.EndpointAddress;
import dev.spillway.core.config.EndpointConfig;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.config.IdentityConfig;
import dev.spillway.core.config.LimitConfig;
import dev.spillway.core.config.LimitUnit;
import dev.spillway.core.config.LimiterCacheConfig;
import dev.spillway.core.config.PriorityClass;
import dev.spillway.core.config.RejectionConfig;
import dev.spillway.core.config.ResilienceConfig;
import dev.spillway.core.config.RouteConfig;
import dev.spillway.core.config.RouteMatch;
import dev.spillway.core.config.ServerConfig;
import dev.spillway.core.config.TierConfig;
import dev.spillway.core.config.TokenEstimationConfig;
import dev.spillway.core.config.WaitingRoomConfig;
import dev.spillway.core.routing.Route;
import dev.spillway.core.routing.Router;
import dev.spillway.core.time.FakeTicker;
import dev.spillway.core.upstream.Backend;
import dev.spillway.core.upstream.Endpoint;
import dev.spillway.core.upstream.resilience.EndpointAttempt;
import dev.spillway.core.upstream.resilience.EndpointEventListener;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reconfiguration in place: what a reload keeps, by identity, and what it changes. */
class RuntimeRegistryTest {
  private final FakeTicker ticker = new FakeTicker();

  // --- config builders -----------------------------------------------------------------------------------

  private static LimitConfig rpm(long n) {
    return new LimitConfig("rpm", LimitUnit.REQUESTS, List.of(new BandwidthConfig(n, Duration.ofMinutes(1))),
        true);
  }

  private static AdmissionConfig admission(List<LimitConfig> routeLimits) {
    return new AdmissionConfig(IdentityConfig.DEFAULTS, false, "basic", routeLimits, TokenEstimationConfig.DEFAULTS,
        RejectionConfig.DEFAULTS);
  }

  private static BackendConfig backend(String name, int... ports) {
    List<EndpointAddress> addresses = new ArrayList<>();
    for (int port : ports) {
      addresses.add(new EndpointAddress("10.0.0.1", port));
    }
    return BackendConfig.of(name, addresses);
  }

  private static GatewayConfig config(List<LimitConfig> tierLimits, List<LimitConfig> routeLimits,
      BackendConfig... backends) {
    Map<String, BackendConfig> byName = new LinkedHashMap<>();
    for (BackendConfig b : backends) {
      byName.put(b.name(), b);
    }
    return new GatewayConfig(ServerConfig.DEFAULTS, byName,
        List.of(new RouteConfig("chat", new RouteMatch(null, "/"), backends[0].name(), admission(routeLimits))),
        Map.of("basic", new TierConfig("basic", PriorityClass.STANDARD, tierLimits)), List.of(),
        LimiterCacheConfig.DEFAULTS);
  }

  private RuntimeRegistry registry(GatewayConfig config) {
    return new RuntimeRegistry(config, ticker, EndpointEventListener.NOOP);
  }

  private static Route chat(RuntimeRegistry registry) {
    return registry.router().routes().get(0);
  }

  private static Tenant acme(GatewayConfig config) {
    return new Tenant("key:acme", "acme", config.tiers().get("basic"), true);
  }

  private static RateDecision take(RuntimeRegistry registry, GatewayConfig config) {
    RouteRateLimiter limiter = chat(registry).admission().limiter();
    return limiter.acquire(acme(config), 1);
  }

  // --- rate limits ---------------------------------------------------------------------------------------

  @Test
  void aTenantAtZeroIsStillAtZeroAfterItsLimitIsRaised() {
    GatewayConfig before = config(List.of(rpm(5)), List.of(), backend("b", 8000));
    RuntimeRegistry registry = registry(before);
    for (int i = 0; i < 5; i++) {
      assertThat(take(registry, before).admitted()).isTrue();
    }
    assertThat(take(registry, before).admitted()).isFalse();

    GatewayConfig after = config(List.of(rpm(10)), List.of(), backend("b", 8000));
    registry.plan(after).commit();

    assertThat(take(registry, after).admitted()).as("no refill on reload").isFalse();
    ticker.advance(Duration.ofSeconds(6));
    assertThat(take(registry, after).admitted()).as("refills at the new rate: 10/min is one per 6 s").isTrue();
    assertThat(take(registry, after).admitted()).isFalse();
  }

  @Test
  void aLoweredLimitCutsTheLevelToTheNewCapacityAndARenamedLimitStartsFresh() {
    GatewayConfig before = config(List.of(rpm(100)), List.of(), backend("b", 8000));
    RuntimeRegistry registry = registry(before);
    take(registry, before);

    GatewayConfig lowered = config(List.of(rpm(3)), List.of(), backend("b", 8000));
    registry.plan(lowered).commit();
    for (int i = 0; i < 3; i++) {
      assertThat(take(registry, lowered).admitted()).isTrue();
    }
    assertThat(take(registry, lowered).admitted()).isFalse();

    LimitConfig renamed = new LimitConfig("per-minute", LimitUnit.REQUESTS,
        List.of(new BandwidthConfig(2, Duration.ofMinutes(1))), true);
    GatewayConfig other = config(List.of(renamed), List.of(), backend("b", 8000));
    registry.plan(other).commit();
    assertThat(take(registry, other).admitted()).as("a new limit name is a new bucket").isTrue();
  }

  @Test
  void theRoutesSharedBucketKeepsItsLevelAndOnlyChangesOnCommit() {
    GatewayConfig before = config(List.of(), List.of(rpm(2)), backend("b", 8000));
    RuntimeRegistry registry = registry(before);
    RouteRateLimiter old = chat(registry).admission().limiter();
    assertThat(take(registry, before).admitted()).isTrue();
    assertThat(take(registry, before).admitted()).isTrue();

    GatewayConfig after = config(List.of(), List.of(rpm(1)), backend("b", 8000));
    RuntimeRegistry.Plan plan = registry.plan(after);
    ticker.advance(Duration.ofSeconds(30));
    assertThat(old.acquire(acme(before), 1).admitted()).as("not committed: the old limit still applies").isTrue();
    plan.commit();

    assertThat(take(registry, after).admitted()).isFalse();
    assertThat(old.acquire(acme(before), 1).admitted()).as("requests on the old snapshot share the bucket")
        .isFalse();
  }

  // --- backends ------------------------------------------------------------------------------------------

  @Test
  void anOpenBreakerStaysOpenAcrossAReloadThatChangesTheBackend() {
    BackendConfig b = backend("b", 8000).withResilience(breakers(Duration.ofSeconds(30)));
    GatewayConfig before = config(List.of(), List.of(), b);
    RuntimeRegistry registry = registry(before);
    Backend backend = chat(registry).backend();
    for (int i = 0; i < 10; i++) {
      EndpointAttempt attempt = backend.endpointGroup().acquire();
      attempt.onFailure(AttemptOutcome.RESET, 1_000);
    }
    assertThat(backend.endpointGroup().states().get(0).breakerState()).isEqualTo(CircuitBreaker.State.OPEN);

    GatewayConfig sameBreaker = config(List.of(), List.of(), b.withConcurrency(ConcurrencyConfig.fixed(8),
        WaitingRoomConfig.DEFAULTS));
    registry.plan(sameBreaker).commit();
    Backend kept = chat(registry).backend();
    assertThat(kept.endpointGroup().states().get(0).breakerState()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(kept.endpointGroup().acquire()).as("still held back").isNull();

    GatewayConfig newBreaker = config(List.of(), List.of(), b.withResilience(breakers(Duration.ofSeconds(60))));
    registry.plan(newBreaker).commit();
    Backend rebuilt = chat(registry).backend();
    assertThat(rebuilt.endpointGroup().states().get(0).breakerState()).as("new breaker settings, still open")
        .isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(rebuilt.endpoints().get(0)).as("same endpoint: same pools").isSameAs(backend.endpoints().get(0));
  }

  private static ResilienceConfig breakers(Duration waitInOpen) {
    BreakerConfig breaker = new BreakerConfig(true, 50, 50, Duration.ofSeconds(1), BreakerConfig.WindowType.COUNT,
        10, 10, waitInOpen, waitInOpen, 2);
    ResilienceConfig d = ResilienceConfig.DEFAULTS;
    return new ResilienceConfig(d.balancing(), breaker, d.healthCheck(), d.outlier(), d.maxEjectedPercent(),
        d.maxCooldown());
  }

  @Test
  void anAdaptiveLimitKeepsItsLearnedValueClampedToTheNewBounds() {
    ConcurrencyConfig adaptive = new ConcurrencyConfig(ConcurrencyConfig.Mode.ADAPTIVE, 40, 4, 100);
    GatewayConfig before = config(List.of(), List.of(), backend("b", 8000).withConcurrency(adaptive,
        WaitingRoomConfig.DEFAULTS));
    RuntimeRegistry registry = registry(before);
    BackendAdmission admission = chat(registry).backend().admission();
    admission.tryAcquireNow(PriorityClass.STANDARD).onIgnore();
    ticker.advance(Duration.ofSeconds(2));
    admission.tryAcquireNow(PriorityClass.STANDARD).onIgnore();
    assertThat(admission.limit()).as("the start is over: at the configured limit").isEqualTo(40);

    ConcurrencyConfig wider = new ConcurrencyConfig(ConcurrencyConfig.Mode.ADAPTIVE, 60, 4, 200);
    registry.plan(config(List.of(), List.of(), backend("b", 8000).withConcurrency(wider,
        WaitingRoomConfig.DEFAULTS))).commit();
    assertThat(chat(registry).backend().admission()).isSameAs(admission);
    assertThat(admission.limit()).as("kept, not restarted at minLimit (4)").isEqualTo(40);

    ConcurrencyConfig narrower = new ConcurrencyConfig(ConcurrencyConfig.Mode.ADAPTIVE, 10, 4, 30);
    registry.plan(config(List.of(), List.of(), backend("b", 8000).withConcurrency(narrower,
        WaitingRoomConfig.DEFAULTS))).commit();
    assertThat(admission.limit()).as("clamped to the new maxLimit").isEqualTo(30);
  }

  @Test
  void aLoweredStaticLimitCancelsNothingInFlight() {
    GatewayConfig before = config(List.of(), List.of(), backend("b", 8000).withConcurrency(
        ConcurrencyConfig.fixed(4), WaitingRoomConfig.DEFAULTS));
    RuntimeRegistry registry = registry(before);
    BackendAdmission admission = chat(registry).backend().admission();
    List<Permit> held = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      held.add(admission.tryAcquireNow(PriorityClass.STANDARD));
    }

    registry.plan(config(List.of(), List.of(), backend("b", 8000).withConcurrency(ConcurrencyConfig.fixed(2),
        WaitingRoomConfig.DEFAULTS))).commit();

    assertThat(admission.limit()).isEqualTo(2);
    assertThat(admission.inFlight()).as("nothing cancelled").isEqualTo(4);
    assertThat(admission.tryAcquireNow(PriorityClass.STANDARD)).isNull();
    held.remove(0).onIgnore();
    held.remove(0).onIgnore();
    assertThat(admission.tryAcquireNow(PriorityClass.STANDARD)).as("still at the new limit").isNull();
    held.remove(0).onIgnore();
    Permit next = admission.tryAcquireNow(PriorityClass.STANDARD);
    assertThat(next).isNotNull();
    next.onIgnore();
    held.forEach(Permit::onIgnore);
    assertThat(admission.inFlight()).isZero();
  }

  @Test
  void aRemovedBackendDrainsThenItsPoolsClose() {
    GatewayConfig before = config(List.of(), List.of(), backend("a", 8000), backend("old", 9000, 9001));
    RuntimeRegistry registry = registry(before);
    Backend old = registry.backends().get("old");
    EndpointAttempt inFlight = old.endpointGroup().acquire();
    List<Endpoint> closed = new ArrayList<>();
    Retirements retirements = new Retirements(closed::addAll);

    RuntimeRegistry.Commit commit = registry.plan(config(List.of(), List.of(), backend("a", 8000))).commit();
    retirements.add(commit.retiring());

    assertThat(registry.backends()).containsOnlyKeys("a");
    assertThat(retirements.pending()).as("a request is still running there").isEqualTo(1);
    assertThat(closed).isEmpty();
    inFlight.onSuccess(1_000);
    assertThat(retirements.poll()).isZero();
    assertThat(closed).containsExactlyElementsOf(old.endpoints());
  }

  @Test
  void endpointsAreKeptByAddressAddedFreshAndRemovedOnesRetire() {
    GatewayConfig before = config(List.of(), List.of(), backend("b", 8000, 8001));
    RuntimeRegistry registry = registry(before);
    Backend b = chat(registry).backend();
    Endpoint kept = b.endpoints().get(1);
    EndpointAttempt onRemoved = acquireOn(b, 0);

    RuntimeRegistry.Commit commit = registry.plan(config(List.of(), List.of(), backend("b", 8001, 8002))).commit();

    Backend after = chat(registry).backend();
    assertThat(after.endpoints()).hasSize(2);
    assertThat(after.endpoints().get(0)).isSameAs(kept);
    assertThat(after.endpoints().get(1).address().port()).isEqualTo(8002);
    assertThat(commit.retiring()).hasSize(1);
    assertThat(commit.retiring().get(0).drained().getAsBoolean()).isFalse();
    onRemoved.onSuccess(1_000);
    assertThat(commit.retiring().get(0).drained().getAsBoolean()).isTrue();
    assertThat(commit.retiring().get(0).endpoints()).containsExactly(b.endpoints().get(0));
  }

  /** An attempt on the {@code index}-th endpoint (others are asked until that one is picked). */
  private static EndpointAttempt acquireOn(Backend b, int index) {
    List<EndpointAttempt> others = new ArrayList<>();
    try {
      for (int i = 0; i < 64; i++) {
        EndpointAttempt a = b.endpointGroup().acquire();
        if (a.endpoint() == b.endpoints().get(index)) {
          return a;
        }
        others.add(a);
      }
      throw new AssertionError("never picked");
    } finally {
      others.forEach(EndpointAttempt::onCancelled);
    }
  }

  // --- snapshots -----------------------------------------------------------------------------------------

  @Test
  void aRequestKeepsTheSnapshotItStartedWithAndUnchangedBackendsAreTheSameObjects() {
    GatewayConfig before = config(List.of(rpm(5)), List.of(), backend("a", 8000), backend("c", 7000));
    RuntimeRegistry registry = registry(before);
    Router old = registry.router();
    Route started = old.route("x", "/v1/chat");

    GatewayConfig after = config(List.of(rpm(6)), List.of(), backend("a", 8000), backend("c", 7001));
    registry.plan(after).commit();

    Route next = registry.router().route("x", "/v1/chat");
    assertThat(next).isNotSameAs(started);
    assertThat(started.admission().limiter()).as("the old snapshot is left as it was")
        .isNotSameAs(next.admission().limiter());
    assertThat(started.config()).isSameAs(before.routes().get(0));
    assertThat(next.backend()).as("unchanged backend: the same live object").isSameAs(started.backend());
    assertThat(registry.backends().get("c")).isNotSameAs(old.routes().get(0).tiers().get(0).backend());
  }

  @Test
  void aConfigThatCannotBeBuiltChangesNothing() {
    GatewayConfig before = config(List.of(rpm(5)), List.of(), backend("b", 8000));
    RuntimeRegistry registry = registry(before);
    Router old = registry.router();
    List<LimitConfig> tooMany = new ArrayList<>();
    for (int i = 0; i < 70; i++) {
      tooMany.add(new LimitConfig("l" + i, LimitUnit.REQUESTS, List.of(new BandwidthConfig(1, Duration.ofMinutes(1))),
          true));
    }

    assertThatThrownBy(() -> registry.plan(config(tooMany, List.of(), backend("b", 8000))))
        .isInstanceOf(ConfigException.class);
    assertThat(registry.router()).isSameAs(old);
    assertThat(registry.config()).isSameAs(before);
  }

  @Test
  void restartKeysNameTheServerKeysThatChanged() {
    GatewayConfig before = config(List.of(), List.of(), backend("b", 8000));
    GatewayConfig moved = new GatewayConfig(before.server().withPort(9999), before.backends(), before.routes(),
        before.tiers(), before.tenants(), before.limiterCache());
    assertThat(ConfigChanges.restartKeys(before, moved)).containsExactly("server.port");
    assertThat(ConfigChanges.restartKeys(before, before)).isEmpty();
    assertThat(ConfigChanges.summary(before, config(List.of(), List.of(), backend("b", 8000, 8001))))
        .containsExactly("backends.b: changed backends.b.endpointConfigs");
  }
}
